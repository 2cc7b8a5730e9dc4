"""Request bodies read whole on the event loop, before any thread or handler sees them.

Django serves HTTP on a fixed pool of threads (config/asgi.py). A thread that reads a body
waits as long as its client takes to send it, so a few clients that send half a body would
hold every thread until the server stops answering. Here the body is read on the server's
event loop, where a waiting client costs nothing, with a deadline and API.md's size limit:

* over API_MAX_BODY_BYTES (declared, or counted as a chunked body arrives): 413 `too_large`,
  answered before the rest is read;
* not all there within REQUEST_BODY_SECONDS: 408 `request_timeout`;
* JSON nested deeper than MAX_JSON_DEPTH: 400 `invalid`, before any parser sees it (a parser
  that recurses would raise RecursionError, a 500, on a 64 KiB body of brackets);
* otherwise the handler gets the body in one piece with its length declared, chunked or not
  (a WSGI handler would otherwise read a chunked body as empty).

One route has a limit of its own: the admin's layout upload (a 20,000-seat room is a few MB),
LAYOUT_UPLOAD_MAX_BYTES, for a staff member's session only (staff_sessions.py, asked from the
request's head): anyone else's POST there over the API's limit is 413 `too_large` before its
body is read. Its form is a person's page, not an API call, so over its limit the
body is read to its end and dropped (within the same deadline; the browser would otherwise
show a reset connection, not an answer), and the admin is asked for the empty form with
`X-Seatmap-Body-Refused: <limit>`: it answers its own form with the error on the file field
(reservations/admin/venues.py). The proxy in front does the same (config/nginx/seatmap.conf).
"""

import asyncio
import contextlib

import orjson
from django.conf import settings

from .errors import too_large_message
from .loop_requests import header_of
from .staff_sessions import staff_session

_WITHOUT_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


def _answer(status: int, code: str, message: str):
    body = orjson.dumps({"error": message, "code": code})
    return [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        },
        {"type": "http.response.body", "body": body},
    ]


TIMEOUT = _answer(408, "request_timeout", "The request body did not arrive in time.")

# No call of the API nests its JSON past a few levels.
MAX_JSON_DEPTH = 32
TOO_DEEP = _answer(
    400, "invalid", f"The request body nests its JSON deeper than {MAX_JSON_DEPTH} levels."
)

LAYOUT_UPLOAD_PATH = "/admin/reservations/venuelayout/add/"
BODY_REFUSED_HEADER = b"x-seatmap-body-refused"


class BufferedBodies:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in _WITHOUT_BODY:
            return await self.app(scope, receive, send)
        upload = scope["path"] == LAYOUT_UPLOAD_PATH and await _upload_of_staff(scope)
        limit = settings.LAYOUT_UPLOAD_MAX_BYTES if upload else settings.API_MAX_BODY_BYTES
        try:
            async with asyncio.timeout(settings.REQUEST_BODY_SECONDS):
                body = await body_within(scope, receive, limit)
        except TimeoutError:
            return await _send_all(send, TIMEOUT)
        if body is None and upload:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(settings.REQUEST_BODY_SECONDS):
                    await _drain(receive)
            return await self.app(_refused(scope, limit), _no_body, send)
        if body is None:
            return await _send_all(send, _answer(413, "too_large", too_large_message()))
        is_json = "json" in header_of(scope, b"content-type").lower()
        if is_json and nests_deeper_than(body, MAX_JSON_DEPTH):
            return await _send_all(send, TOO_DEEP)
        replayed = False

        async def receive_buffered():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(_with_length(scope, len(body)), receive_buffered, send)


async def _upload_of_staff(scope) -> bool:
    """Whether the layout upload gets its own limit: a body within the API's needs no asking;
    a larger one (or one of unknown length) only from a staff session, else it is the API's."""
    declared = _declared_length(scope)
    if declared is not None and declared <= settings.API_MAX_BODY_BYTES:
        return True
    return await staff_session(scope)


_OPENING, _CLOSING, _QUOTE, _BACKSLASH = frozenset(b"[{"), frozenset(b"]}"), 0x22, 0x5C


def nests_deeper_than(body: bytes, depth: int) -> bool:
    """Whether JSON text opens more than `depth` arrays or objects inside one another (brackets
    in strings do not count). Valid or not: a parser would recurse as deep before it knew."""
    if body.count(b"[") + body.count(b"{") <= depth:  # every API body, at C's speed
        return False
    level, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENING:
            level += 1
            if level > depth:
                return True
        elif byte in _CLOSING:
            level -= 1
    return False


async def body_within(scope, receive, limit: int) -> bytes | None:
    """The request's whole body, or None when it is over `limit` (declared, or counted as it
    arrives). The booking fast path reads its bodies with it too (fast.py)."""
    declared = _declared_length(scope)
    if declared is not None and declared > limit:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _declared_length(scope) -> int | None:
    try:
        return int(header_of(scope, b"content-length"))
    except ValueError:
        return None


async def _drain(receive) -> None:
    """Read the rest of a body that is refused, keeping none of it."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return


async def _no_body():
    return {"type": "http.request", "body": b"", "more_body": False}


def _refused(scope, limit: int):
    """The request as the form's page asked for again, saying that its body was refused."""
    kept = _headers_without(scope, (b"content-length", b"transfer-encoding", b"content-type"))
    refused = (BODY_REFUSED_HEADER, str(limit).encode())
    return {**scope, "method": "GET", "headers": [*kept, refused]}


def _with_length(scope, length: int):
    kept = _headers_without(scope, (b"content-length", b"transfer-encoding"))
    return {**scope, "headers": [*kept, (b"content-length", str(length).encode())]}


def _headers_without(scope, names) -> list:
    return [(name, value) for name, value in scope["headers"] if name not in names]


async def _send_all(send, messages) -> None:
    for message in messages:
        await send(message)
