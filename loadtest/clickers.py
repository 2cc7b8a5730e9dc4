"""Clickers: users with bearer tokens holding and booking seats at once, in profiles.

- uniform: each clicker holds seats of its own share of the map (no two want the same seat),
  releasing its oldest hold before it reaches the hold limit;
- hot: every clicker asks for one of the same K seats at the same instant (`--clicks` times);
- book: lock `--book-size` seats of its own share in one request, then reserve them;
- churn: lock a random seat of the whole map, release it, lock it again (conflicts expected).
"""

import asyncio
import contextlib
import random
import time
import uuid

import aiohttp
import orjson

from .stats import Recorder

PROFILES = ("uniform", "hot", "book", "churn")


def _code(status: int, body: bytes) -> str:
    if status < 400:
        return "ok"
    try:
        return str(orjson.loads(body).get("code") or status)
    except (orjson.JSONDecodeError, AttributeError):
        return f"http_{status}"


# What a request can fail with before an answer: the connection, or the client's timeout.
TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError)


class Clicker:
    def __init__(
        self,
        index: int,
        user: dict,
        base: str,
        event_id: int,
        client: aiohttp.ClientSession,
        rec: Recorder,
        *,
        hold_limit: int,
    ):
        self.index, self.user, self.base, self.event_id = index, user, base, event_id
        self.client, self.rec, self.hold_limit = client, rec, hold_limit
        self.headers = {"Authorization": f"Bearer {user['access']}"}
        self.held: list[int] = []
        self.won: list[int] = []
        self.succeeded = False

    async def call(self, op: str, path: str, body: dict, headers: dict | None = None):
        started = time.perf_counter()
        try:
            async with self.client.post(
                f"{self.base}/api/events/{self.event_id}/{path}",
                data=orjson.dumps(body),
                headers={**self.headers, "Content-Type": "application/json", **(headers or {})},
            ) as response:
                status, answer = response.status, await response.read()
        except TRANSPORT_ERRORS as exc:
            self.rec.request(
                op, 0, f"transport:{type(exc).__name__}", time.perf_counter() - started
            )
            return None, f"transport:{type(exc).__name__}"
        code = _code(status, answer)
        self.rec.request(op, status, code, time.perf_counter() - started)
        self.succeeded = self.succeeded or code == "ok"
        return status, code

    async def lock(self, seat_id: int) -> bool:
        _, code = await self.call("lock", f"seats/{seat_id}/lock/", {})
        if code == "ok":
            if seat_id not in self.held:
                self.held.append(seat_id)
            return True
        return False

    async def unlock(self, seat_id: int) -> bool:
        _, code = await self.call("unlock", f"seats/{seat_id}/unlock/", {})
        if seat_id in self.held:
            self.held.remove(seat_id)
        return code == "ok"

    async def make_room(self, room: int = 1) -> None:
        while self.held and len(self.held) + room > self.hold_limit:
            await self.unlock(self.held[0])


async def _paced(stop: asyncio.Event, interval: float):
    """Yield once per `interval` seconds (0: as fast as the server answers) until `stop`."""
    next_at = time.monotonic()
    while not stop.is_set():
        yield
        if interval > 0:
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)


async def run_clicker(
    c: Clicker,
    profile: str,
    seats: list[int],
    share: list[int],
    stop: asyncio.Event,
    *,
    interval: float,
    hot: list[int],
    clicks: int,
    book_size: int,
    start: asyncio.Event,
) -> None:
    await start.wait()
    if profile == "hot":
        for _ in range(clicks):
            seat = random.choice(hot)
            if await c.lock(seat):
                c.won.append(seat)
        return
    position = 0
    async for _ in _paced(stop, interval):
        if profile == "uniform":
            if not share:
                return
            seat = share[position % len(share)]
            position += 1
            await c.make_room()
            if seat in c.held:
                await c.unlock(seat)
            await c.lock(seat)
        elif profile == "churn":
            seat = random.choice(seats)
            await c.make_room()
            if await c.lock(seat):
                await c.unlock(seat)
                await c.lock(seat)
        elif profile == "book":
            wanted = share[position : position + book_size]
            position += book_size
            if len(wanted) < book_size:
                return
            await c.make_room(len(wanted))
            response, code = await c.call("lock_many", "lock/", {"seat_ids": wanted})
            if code != "ok":
                continue
            c.held.extend(wanted)
            response, code = await c.call(
                "reserve",
                "reserve/",
                {"seat_ids": wanted},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            if code == "ok":
                for seat in wanted:
                    c.held.remove(seat)
        else:
            raise ValueError(f"unknown profile {profile!r}")
