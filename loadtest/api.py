"""The server as the load client reaches it: HTTP sessions, the seat list, the socket address."""

import asyncio
from urllib.parse import urlparse

import aiohttp
import orjson


def http_session(
    connections: int = 0, total_timeout: float | None = 60, **options
) -> aiohttp.ClientSession:
    """aiohttp, the load tester's one HTTP client: the least client CPU per request of those
    measured, so that the server, not the load client, limits every click scenario. `options`:
    aiohttp.ClientSession's others (`headers` sent with every request, ...)."""
    return aiohttp.ClientSession(
        # Cookies are each clicker's own (loadtest/auth.py), never shared through the session.
        cookie_jar=aiohttp.DummyCookieJar(),
        # Idle connections are dropped before uvicorn's 5 s keep-alive ends: reusing one the
        # server is closing at that instant fails a POST with a reset (no retry for POST).
        connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=4),
        timeout=aiohttp.ClientTimeout(total=total_timeout),
        **options,
    )


async def read_response(request) -> tuple[aiohttp.ClientResponse, bytes]:
    """The response to `request` (a session's `get(...)`, `post(...)`) and its body, read before
    the connection is released: the response's status and headers stay readable after."""
    async with request as response:
        return response, await response.read()


async def get_json(client: aiohttp.ClientSession, url: str, headers=None):
    async with client.get(url, headers=headers) as response:
        response.raise_for_status()
        return orjson.loads(await response.read())


async def access_token(client: aiohttp.ClientSession, base: str, username: str, password: str):
    """An access token of `POST /api/token/`, as a script logs in."""
    login = {"username": username, "password": password}
    async with client.post(f"{base}/api/token/", json=login, raise_for_status=True) as answer:
        return orjson.loads(await answer.read())["access"]


async def get_pages(client: aiohttp.ClientSession, url: str, headers=None) -> list:
    """Every item of a paged list (docs/API.md "Pages"), following `Link: rel="next"`."""
    items: list = []
    url = f"{url}{'&' if '?' in url else '?'}page_size=100"
    while url:
        async with client.get(url, headers=headers) as response:
            response.raise_for_status()
            items += orjson.loads(await response.read())
            url = response.links.get("next", {}).get("url")
            url = str(url) if url else None
    return items


async def fetch_seats(client: aiohttp.ClientSession, base: str, event_id: int, headers=None):
    """The seat list (as the caller whose `headers` these are); a 503 (the server out of
    database connections) is retried for ~20 s."""
    url = f"{base}/api/events/{event_id}/seats/"
    for attempt in range(10):
        try:
            return (await get_json(client, url, headers))["seats"]
        except aiohttp.ClientResponseError as exc:
            if exc.status != 503 or attempt == 9:
                raise
        await asyncio.sleep(2)
    raise AssertionError("unreachable")


async def fetch_own_holds(
    client: aiohttp.ClientSession, base: str, event_id: int, headers: dict
) -> list[int]:
    """The seats the caller (`headers`) holds: `holds/` with a bearer token, as the shipped
    client reads them (a few bytes, from the server's memory); the seat list for a session."""
    if "Authorization" in headers:
        answer = await get_json(client, f"{base}/api/events/{event_id}/holds/", headers)
        return [seat["id"] for seat in answer["seats"]]
    seats = await fetch_seats(client, base, event_id, headers)
    return [s["id"] for s in seats if s["mine"] and s["status"] == "locked"]


async def fetch_map_ids(client: aiohttp.ClientSession, base: str, event_id: int) -> list[int]:
    """The static map's `seats.id`: the order of the seats in a `state` frame (API.md)."""
    return (await get_json(client, f"{base}/api/events/{event_id}/map/"))["seats"]["id"]


def ws_url(base: str, event_id: int) -> str:
    """The event's socket, as the shipped client opens it: its snapshots are `state` frames
    (PROTOCOL.md "Two forms of snapshot"), read by the map's seat ids (`fetch_map_ids`)."""
    parsed = urlparse(base)
    scheme = "wss" if parsed.scheme == "https" else "ws"
    return f"{scheme}://{parsed.netloc}/ws/events/{event_id}/"
