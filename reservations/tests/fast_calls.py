"""Calling the fast path (reservations/api/fast.py) in-process, as the server would: an ASGI
app on a real PostgreSQL pool and real Redis, with a stand-in for Django behind it that records
what it was handed, so each test knows which side answered."""

import asyncio
import json

from rest_framework_simplejwt.tokens import RefreshToken

from realtime.broadcast import publishes_sent
from reservations.api.loop_database import close_loop_pool

HOST = [(b"host", b"127.0.0.1")]


class DjangoStandIn:
    """Behind the fast path: answers 299 and remembers each request it was given."""

    def __init__(self):
        self.paths = []

    async def __call__(self, scope, receive, send):
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def bearer(user) -> bytes:
    return f"Bearer {RefreshToken.for_user(user).access_token}".encode()


async def call(app, path, *, headers=(), method="POST", body=b"{}", client=None):
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "scheme": "http",
        "headers": [*headers] if any(n == b"host" for n, _ in headers) else [*HOST, *headers],
    }
    if client is not None:
        scope["client"] = (client, 40000)
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start, body_message = sent
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    payload = json.loads(body_message["body"]) if body_message["body"] else None
    return start["status"], payload, headers


def on_one_loop(app, scenario):
    """Run `scenario()` on a fresh event loop, as the server would, and close the pool after."""

    async def main():
        try:
            return await scenario()
        finally:
            await publishes_sent()
            await close_loop_pool()

    return asyncio.run(main())


def clicks(app, requests):
    """Send (path, user) lock/unlock requests all at once; their (status, payload, headers)."""
    tokens = {user: bearer(user) for _, user in requests}

    async def scenario():
        return await asyncio.gather(
            *(
                call(app, path, headers=[(b"authorization", tokens[user])])
                for path, user in requests
            )
        )

    return on_one_loop(app, scenario)


def lock_path(event, seat, action="lock"):
    return f"/api/events/{event.id}/seats/{seat.id}/{action}/"


def lowered(headers, *without):
    """Headers by lower-case name, less those named."""
    return {k.lower(): v for k, v in headers.items() if k.lower() not in without}


MISSING = 999_999_999  # an event or reservation id that exists on neither side
JSON = b"application/json"
