"""What the tests of a real server process send it and read from it over its socket (the
processes themselves start in harness/servers.py)."""

import asyncio
import json

import httpx

from harness.servers import token


def ws_url(base: str, event_id: int, query: str = "") -> str:
    """The event's socket: anonymous, its snapshots are `state` frames (PROTOCOL.md)."""
    return base.replace("http://", "ws://") + f"/ws/events/{event_id}/{query}"


async def next_of_type(socket, kind: str, within: float = 5.0, until=lambda message: True):
    """The next message of `kind` from a websockets client that satisfies `until`."""
    async with asyncio.timeout(within):
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == kind and until(message):
                return message


async def next_seats(socket, within: float = 5.0) -> dict:
    return await next_of_type(socket, "seats", within)


async def lock_as_alice(base: str, event, seat) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{base}/api/events/{event.id}/seats/{seat.id}/lock/",
            json={},
            headers=token(base, "alice"),
        )
