"""Whether a request's head carries a staff member's session: asked before a large body is read.

The admin's layout upload may send a few MB (request_bodies.py); only staff can use it, so only
a staff session earns its limit. A stranger's POST that declares more than the API's limit is
refused before its body is read, not buffered whole and then refused by Django. The session
cookie is resolved as Django's own middleware and auth would (the session store, then the user
with its session hash checked), on a thread, so the loop never waits on the database.
"""

from importlib import import_module
from types import SimpleNamespace

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.contrib.auth import get_user
from django.http.cookie import parse_cookie

from .loop_requests import header_of


def session_key_of(scope) -> str | None:
    return parse_cookie(header_of(scope, b"cookie")).get(settings.SESSION_COOKIE_NAME)


def _is_staff(session_key: str) -> bool:
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(SimpleNamespace(session=store))
    return bool(user.is_active and user.is_staff)


# Off the loop, on any thread of the executor; the thread's connection goes back to the pool.
_is_staff_on_a_thread = DatabaseSyncToAsync(_is_staff, thread_sensitive=False)


async def staff_session(scope) -> bool:
    """Whether the request comes from an active staff member's session."""
    session_key = session_key_of(scope)
    if not session_key:
        return False
    return await _is_staff_on_a_thread(session_key)
