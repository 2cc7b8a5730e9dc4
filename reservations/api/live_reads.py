"""`GET /api/events/{id}/state/`, `GET /api/events/{id}/holds/` and the seat list `GET
/api/events/{id}/seats/` (API.md), answered on the server's loop (loop_app.py) from the
event's live map (realtime/live_map.py, through `live_seats.live_maps`): the seats' states never
from the database (the seat list reads its event's row for the map version, and its static part
once per version: realtime/seat_list.py).

An arriving buyer's page needs the seats' state once; everyone arriving in the same moment gets
the same bytes: the body is built at most once a coalescing window and compressed once per
coding asked for (br, gzip). `holds/` is the caller's few running holds and booked seats,
from the same map. The seat list is built and compressed in chunks (realtime/seat_list.py); a
caller by session cookie rather than bearer token, and a map that cannot serve it, go to Django,
which reads the database (views.SeatListApi).
"""

import asyncio
import time

import orjson
from cachetools import TLRUCache
from django.conf import settings
from rest_framework import exceptions as drf_exceptions

from reservations.client_address import scope_client_address
from reservations.exceptions import NotFound
from reservations.live_seats import SEAT_LIST_CODINGS, LiveMapsUnavailable, live_maps

from .content_coding import IDENTITY, coding_for, compressed
from .errors import exception_response
from .loop_app import Answer, LoopCall, ToDjango, route
from .loop_reads import map_version_of
from .loop_requests import as_asgi, error_answer, header_of, user_id_of_token
from .staff_sessions import session_key_of
from .throttles import seat_list_allowed_async

_NO_STORE = (b"cache-control", b"no-store")


async def _holds(call: LoopCall) -> Answer:
    event_id = call.ids["event_id"]
    try:
        if call.request.token is None:
            raise drf_exceptions.NotAuthenticated()
        holds = await live_maps().holds(event_id, user_id_of_token(call.request.token))
    except Exception as exc:  # every error in the API's one shape (errors.py)
        return Answer(*as_asgi(exception_response(exc)))
    return Answer(200, orjson.dumps({"event_id": event_id, **holds}), [_NO_STORE])


async def _state(call: LoopCall) -> Answer:
    vary = (b"vary", b"accept-encoding")
    coding = coding_for(header_of(call.scope, b"accept-encoding"))
    try:
        body = await _state_body(call.ids["event_id"], coding)
    except Exception as exc:
        status, body, extra = as_asgi(exception_response(exc))
        return Answer(status, body, [*extra, vary])
    encoded = [(b"content-encoding", coding.encode())] if coding != IDENTITY else []
    return Answer(200, body, [_NO_STORE, vary, *encoded])


async def _state_body(event_id: int, coding: str) -> bytes:
    view = await live_maps().state(event_id)
    if coding == IDENTITY:
        return view.value
    # Compressed once per view and coding, and kept with the view: it goes with the map
    # (kept here, per event, it would stay for every event ever read).
    body = view.encodings.get(coding)
    if body is None:
        body = view.encodings[coding] = compressed(view.value, coding)
    return body


async def _seat_list(call: LoopCall) -> Answer:
    token = call.request.token
    if token is None and session_key_of(call.scope) is not None:
        raise ToDjango()  # a session's user: Django knows who it is
    coding = coding_for(header_of(call.scope, b"accept-encoding"), SEAT_LIST_CODINGS)
    try:
        user_id = user_id_of_token(token) if token is not None else None
        verdict = await seat_list_allowed_async(user_id, scope_client_address(call.scope))
        if not verdict.allowed:
            raise drf_exceptions.Throttled(wait=verdict.wait)
        version = await _recent_map_version(call.ids["event_id"])
        body = await live_maps().seat_list(version, user_id, coding)
    except (LiveMapsUnavailable, TimeoutError) as exc:
        raise ToDjango() from exc  # no live map to answer from: the database path
    except Exception as exc:
        return Answer(*error_answer(exc))
    encoded = [(b"content-encoding", coding.encode())] if coding != IDENTITY else []
    return Answer(200, body, [_NO_STORE, *encoded], vary=b"Accept-Encoding, origin")


def _until(_key, _reading, now: float) -> float:
    return now + settings.WS_COALESCE_SECONDS


# The event's map version (the seat list's static part), read at most once a coalescing window
# per event and loop, as the view is built at most once a window: a thousand readers arriving
# at once make one query, not a thousand waiting on the loop's pool. A map version changes when
# an organiser reprices or blocks; the list shows it a window later at most.
_recent_versions: TLRUCache[tuple[int, int], asyncio.Future] = TLRUCache(
    maxsize=4096, ttu=_until, timer=time.monotonic
)


async def _recent_map_version(event_id: int):
    key = (id(asyncio.get_running_loop()), event_id)
    reading = _recent_versions.get(key)
    if reading is None:
        reading = _recent_versions[key] = asyncio.ensure_future(map_version_of(event_id))
        reading.add_done_callback(lambda done: _keep_only_answers(key, done))
    return await asyncio.shield(reading)


def _keep_only_answers(key: tuple[int, int], reading: asyncio.Future) -> None:
    """A read that failed (the database away) is not kept: the next reader asks again. An
    unknown event is kept, as an answer."""
    if reading.cancelled() or not isinstance(reading.exception(), NotFound | type(None)):
        _recent_versions.pop(key, None)


def _live() -> bool:
    return live_maps() is not None


ROUTES = [
    route(
        ("GET", "HEAD"),
        f"events/<id:event_id>/{name}/",
        handler,
        allow=b"GET, HEAD, OPTIONS",
        bearer_only=False,
        available=_live,
    )
    for name, handler in (("state", _state), ("holds", _holds), ("seats", _seat_list))
]
