"""Every request the server answers on its loop rather than through Django: one route table,
one rule for what Django answers instead, one way an answer is written.

The routes, each a row of its module:

- the booking calls (operations.py's rows `on_loop`): POST with a bearer token (fast.py);
- an arriving buyer's reads, GET with a bearer token: the event's detail and its stored
  `map/` and `layout/` documents (loop_reads.py);
- the live map's reads, GET or HEAD: `state/` by anyone, `holds/` (live_reads.py).

Django answers everything else untouched, and also: a request that is not plainly ours
(`loop_requests.api_request_of`: a host not in ALLOWED_HOSTS, plain HTTP where HTTPS is
required, another kind of Authorization); a route that needs a bearer token without one
(sessions, CSRF and the anonymous read limits are Django's); a route that needs the loop's
database with `ANSWER_ON_LOOP=0` or without PostgreSQL (loop_database.py); and a request its
handler hands over (`ToDjango`: what the process has not got ready). Every answer carries the
headers Django's middleware would add (loop_requests.py): the equivalence tests compare them
header by header, route by route.
"""

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from .loop_requests import (
    PATH_HEADER,
    ApiRequest,
    api_headers,
    api_request_of,
    cors_headers_for,
    proxy_header_of_settings,
)


class ToDjango(Exception):
    """Not answered on the loop: Django answers it."""


class Answer(NamedTuple):
    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]]  # besides the API's own (loop_requests.api_headers)
    vary: bytes = b"origin"  # as the view's own Vary ends, after the middleware's `origin`


@dataclass(frozen=True)
class LoopCall:
    """One request answered here: the route's ids by name, and who asks how."""

    scope: dict[str, Any]
    receive: Callable[[], Awaitable[dict]]
    request: ApiRequest
    ids: dict[str, int]


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    pattern: re.Pattern
    handler: Callable[[LoopCall], Awaitable[Answer]]
    allow: bytes  # the Allow header Django's view gives
    bearer_only: bool  # without a bearer token, Django answers it
    # Answered here only while this says so (the loop's database, a live map).
    available: Callable[[], bool]


def route(
    methods: Iterable[str],
    path: str,
    handler: Callable[[LoopCall], Awaitable[Answer]],
    *,
    allow: bytes,
    bearer_only: bool,
    available: Callable[[], bool],
) -> Route:
    """A row of the table, its path in Django's syntax under /api/ (urls.py's). Ids of at
    most 18 digits fit PostgreSQL's bigint; longer ones go to Django, which answers 404."""
    pattern = re.compile("/api/" + re.sub(r"<id:(\w+)>", r"(?P<\1>[0-9]{1,18})", path))
    return Route(frozenset(methods), pattern, handler, allow, bearer_only, available)


class LoopApp:
    """ASGI middleware in front of Django's HTTP app; see the module docstring."""

    def __init__(self, django_app, routes: Iterable[Route] | None = None):
        self.django_app = django_app
        self.routes = tuple(routes if routes is not None else _all_routes())
        self._proxy_header = proxy_header_of_settings()

    async def __call__(self, scope, receive, send):
        matched = self._matched(scope) if scope["type"] == "http" else None
        request = api_request_of(scope, self._proxy_header) if matched else None
        if request is None or (matched[0].bearer_only and request.token is None):
            return await self.django_app(scope, receive, send)
        row, ids = matched
        try:
            answer = await row.handler(LoopCall(scope, receive, request, ids))
        except ToDjango:
            return await self.django_app(scope, receive, send)
        headers = api_headers(request.secure, allow=row.allow, vary=answer.vary)
        if answer.status == 304:
            headers = [header for header in headers if header[0] != b"content-type"]
        headers += answer.headers
        headers.append((b"content-length", str(len(answer.body)).encode()))
        if request.origin is not None:
            headers.extend(cors_headers_for(request.origin))
        headers.append(PATH_HEADER)
        body = b"" if scope["method"] == "HEAD" else answer.body
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _matched(self, scope) -> tuple[Route, dict[str, int]] | None:
        for row in self.routes:
            if scope["method"] in row.methods and (found := row.pattern.fullmatch(scope["path"])):
                if not row.available():
                    return None
                return row, {name: int(value) for name, value in found.groupdict().items()}
        return None


def _all_routes() -> list[Route]:
    from . import fast, live_reads, loop_reads

    return [*fast.FastPath().routes(), *loop_reads.ROUTES, *live_reads.ROUTES]
