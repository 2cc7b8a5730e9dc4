"""`GET /api/events/{id}/state/` and `GET /api/events/{id}/holds/` (API.md), answered on the
server's loop from the event's live map (realtime/live_map.py, through `live_seats.live_maps`),
never from the database.

An arriving buyer's page needs the seats' state once; everyone arriving in the same moment gets
the same bytes: the body is built at most once a coalescing window and compressed once per
coding asked for (br, gzip). `holds/` is the caller's few running holds and booked seats,
from the same map. A request that is not plainly ours (a host not in ALLOWED_HOSTS, plain HTTP
where HTTPS is required, another kind of Authorization) goes to Django as it is, which refuses
it there.
"""

import gzip
import re

import brotli
import orjson
from rest_framework import exceptions as drf_exceptions

from reservations.live_seats import live_maps

from .content_coding import IDENTITY, coding_for
from .errors import exception_response
from .loop_requests import (
    PATH_HEADER,
    api_headers,
    api_request_of,
    as_asgi,
    cors_headers_for,
    header_of,
    proxy_header_of_settings,
    user_id_of_token,
)

_ROUTE = re.compile(r"/api/events/([0-9]{1,18})/(state|holds)/")
# The state changes ten times a second in an on-sale: fast settings, not the map's (content_
# coding.py). Measured on the arena's state (~120 KB): brotli 5 ~2 ms, 13 KB; gzip 6 ~2 ms.
_BROTLI_QUALITY = 5
_GZIP_LEVEL = 6


class LiveReads:
    """ASGI middleware in front of the HTTP app."""

    def __init__(self, app):
        self.app = app
        self._proxy_header = proxy_header_of_settings()

    async def __call__(self, scope, receive, send):
        route = _ROUTE.fullmatch(scope["path"]) if scope["type"] == "http" else None
        request = api_request_of(scope, self._proxy_header) if route else None
        if request is None or scope["method"] not in ("GET", "HEAD") or live_maps() is None:
            return await self.app(scope, receive, send)
        event_id, what = int(route[1]), route[2]
        coding = IDENTITY
        try:
            if what == "holds":
                if request.token is None:
                    raise drf_exceptions.NotAuthenticated()
                holds = await live_maps().holds(event_id, user_id_of_token(request.token))
                body = orjson.dumps({"event_id": event_id, **holds})
            else:
                coding = coding_for(header_of(scope, b"accept-encoding"))
                body = await self._state(event_id, coding)
            status, extra = 200, [(b"cache-control", b"no-store")]
        except Exception as exc:  # every error in the API's one shape (errors.py)
            coding = IDENTITY
            status, body, extra = as_asgi(exception_response(exc))
        headers = api_headers(request.secure, allow=b"GET, HEAD, OPTIONS") + extra
        if what == "state":
            headers.append((b"vary", b"accept-encoding"))
        if coding != IDENTITY:
            headers.append((b"content-encoding", coding.encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        if request.origin is not None:
            headers.extend(cors_headers_for(request.origin))
        headers.append(PATH_HEADER)
        if scope["method"] == "HEAD":
            body = b""
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _state(self, event_id: int, coding: str) -> bytes:
        view = await live_maps().state(event_id)
        if coding == IDENTITY:
            return view.value
        # Compressed once per view and coding, and kept with the view: it goes with the map
        # (kept here, per event, it would stay for every event ever read).
        body = view.encodings.get(coding)
        if body is None:
            body = view.encodings[coding] = (
                brotli.compress(view.value, mode=brotli.MODE_TEXT, quality=_BROTLI_QUALITY)
                if coding == "br"
                else gzip.compress(view.value, compresslevel=_GZIP_LEVEL, mtime=0)
            )
        return body
