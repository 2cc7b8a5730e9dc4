"""Request bodies read whole on the event loop, before any thread or handler sees them.

Django serves HTTP on a fixed pool of threads (config/asgi.py). A thread that reads a body
waits as long as its client takes to send it, so a few clients that send half a body would
hold every thread until the server stops answering. Here the body is read on the server's
event loop, where a waiting client costs nothing, with a deadline and API.md's size limit:

* over API_MAX_BODY_BYTES (declared, or counted as a chunked body arrives): 413 `too_large`,
  answered before the rest is read;
* not all there within REQUEST_BODY_SECONDS: 408 `request_timeout`;
* otherwise the handler gets the body in one piece with its length declared, chunked or not
  (a WSGI handler would otherwise read a chunked body as empty).
"""

import asyncio

import orjson
from django.conf import settings

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


TOO_LARGE = _answer(413, "too_large", "The request body is over 64 KiB.")
TIMEOUT = _answer(408, "request_timeout", "The request body did not arrive in time.")


class BufferedBodies:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in _WITHOUT_BODY:
            return await self.app(scope, receive, send)
        limit = settings.API_MAX_BODY_BYTES
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            return await _send_all(send, TOO_LARGE)
        try:
            async with asyncio.timeout(settings.REQUEST_BODY_SECONDS):
                body = await _read_body(receive, limit)
        except TimeoutError:
            return await _send_all(send, TIMEOUT)
        if body is None:
            return await _send_all(send, TOO_LARGE)
        replayed = False

        async def receive_buffered():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(_with_length(scope, len(body)), receive_buffered, send)


def _declared_length(scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes `limit`."""
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


def _with_length(scope, length: int):
    headers = [
        (name, value)
        for name, value in scope["headers"]
        if name not in (b"content-length", b"transfer-encoding")
    ]
    headers.append((b"content-length", str(length).encode()))
    return {**scope, "headers": headers}


async def _send_all(send, messages) -> None:
    for message in messages:
        await send(message)
