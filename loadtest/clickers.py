"""Clickers: users holding and booking seats at once, in profiles.

- journey (the default): a buyer as the shipped client makes one: holds `--journey-seats`
  seats of its own share one click at a time, books them with an `Idempotency-Key` (sent again
  with the same key if the answer is lost), cancels `--cancel-share` of its bookings, and goes
  on with other seats; `--contention` aims that share of its clicks anywhere on the map;
- uniform: each clicker holds seats of its own share of the map (no two want the same seat),
  releasing its oldest hold before it reaches the hold limit;
- hot: every clicker asks for one of the same K seats at the same instant (`--clicks` times);
- book: lock `--book-size` seats of its own share in one request, then reserve them;
- churn: lock a random seat of the whole map, release it, lock it again (conflicts expected);
- hoard: hoarders, each keeping one seat for good or booking its way past the purchase limit
  (loadtest/hoarders.py);
- onsale: arrivals open the map as the shipped client does, then buyers among them click near
  the stage at once (loadtest/onsale.py);
- queue: accounts wait in the event's waiting room on their sockets, claim their turn when
  called and book with it (loadtest/queue_buyers.py, queue_run.py).

Each clicker authenticates as `--auth` says (loadtest/auth.py).
"""

import asyncio
import contextlib
import random
import time
import uuid
from collections import deque
from dataclasses import dataclass

import aiohttp
import orjson

from .auth import Auth, AuthFailed
from .hoarders import HoardSpell, hoard, hoard_by_booking
from .stats import Recorder

# The profiles still branched on by name; the others are classes (loadtest/profiles/).
PROFILES = ("journey", "uniform", "book", "churn", "hoard", "onsale", "queue")


def _code(status: int, body: bytes) -> str:
    if status < 400:
        return "ok"
    try:
        return str(orjson.loads(body).get("code") or status)
    except (orjson.JSONDecodeError, AttributeError):
        return f"http_{status}"


# What a request can fail with before an answer: the connection, or the client's timeout.
TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError)
# Answers after which a reserve is sent again with the same Idempotency-Key.
RETRIED = frozenset({"unavailable", "server_error"})


# A password check costs the server ~0.5 s of CPU (PBKDF2): a few logins at a time, so that none
# waits out its timeout behind the others.
LOGINS_AT_ONCE = 8


async def log_in(clicker: "Clicker", client: aiohttp.ClientSession, logins: asyncio.Semaphore):
    """The clicker logs in, `logins` (of LOGINS_AT_ONCE) at a time; AuthFailed if it cannot."""
    async with logins:
        try:
            await clicker.auth.login(client)
        except TRANSPORT_ERRORS as exc:
            raise AuthFailed(f"login of {clicker.user.get('username')}: {exc!r}") from exc


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
        auth: Auth,
    ):
        self.index, self.user, self.base, self.event_id = index, user, base, event_id
        self.client, self.rec, self.hold_limit, self.auth = client, rec, hold_limit, auth
        self.held: list[int] = []
        self.succeeded = False
        self.booked: dict[int, list[int]] = {}  # reservation id -> its seats (journey)
        self.cancelled: set[int] = set()

    async def call(self, op: str, path: str, body: dict, headers: dict | None = None):
        """POST `path` (under /api/events/{id}/, or absolute from /api/) as this clicker;
        (status, code, answer). A refused credential is renewed once and the call sent again."""
        url = (
            f"{self.base}{path}"
            if path.startswith("/api/")
            else (f"{self.base}/api/events/{self.event_id}/{path}")
        )
        for attempt in (0, 1):
            status, code, answer = await self._send(op, url, body, headers)
            if attempt or not self.auth.refused(status, code):
                break
            self.rec.auth[f"renewed after {status} {code}"] += 1
            if not await self.auth.renew(self.client):
                break
        self.succeeded = self.succeeded or code == "ok"
        return status, code, answer

    async def _send(self, op: str, url: str, body: dict, headers: dict | None):
        auth = self.auth
        started = time.perf_counter()
        try:
            async with self.client.post(
                url,
                data=orjson.dumps(body),
                headers={
                    **auth.headers,
                    **auth.unsafe_headers,
                    "Content-Type": "application/json",
                    **(headers or {}),
                },
            ) as response:
                status, answer = response.status, await response.read()
                fast = response.headers.get("X-Seatmap-Path") == "fast"
                auth.answered(response)
        except TRANSPORT_ERRORS as exc:
            code = f"transport:{type(exc).__name__}"
            self.rec.request(op, 0, code, time.perf_counter() - started)
            return None, code, b""
        code = _code(status, answer)
        self.rec.request(op, status, code, time.perf_counter() - started, fast=fast)
        return status, code, answer

    async def lock(self, seat_id: int) -> bool:
        _, code, _ = await self.call("lock", f"seats/{seat_id}/lock/", {})
        if code == "ok":
            if seat_id not in self.held:
                self.held.append(seat_id)
            return True
        return False

    async def unlock(self, seat_id: int) -> bool:
        _, code, _ = await self.call("unlock", f"seats/{seat_id}/unlock/", {})
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
    book_size: int,
    start: asyncio.Event,
    journey: "JourneyPlan | None" = None,
    hold_cap: float = 600.0,
) -> None:
    await start.wait()
    if profile == "journey":
        own = deque(share)
        async for _ in _paced(stop, interval):
            if not await buy(c, own, seats, journey):
                return
        return
    if profile == "hoard":  # loadtest/hoarders.py
        if not share:
            return
        spell = HoardSpell()
        if c.index % 2:  # every other hoarder books its way: hold to the limit, book, again
            own = deque(share)
            async for _ in _paced(stop, interval):
                if not await hoard_by_booking(c, own, spell, hold_cap):
                    return
            return
        async for _ in _paced(stop, interval):
            await hoard(c, share[0], spell, hold_cap)
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
            _, code, _ = await c.call("lock_many", "lock/", {"seat_ids": wanted})
            if code != "ok":
                continue
            c.held.extend(wanted)
            _, code, _ = await c.call(
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


@dataclass(frozen=True)
class JourneyPlan:
    """What each buyer of the journey profile does (`--journey-seats`, `--cancel-share`,
    `--contention`)."""

    seats: tuple[int, int] = (1, 4)
    cancel_share: float = 0.2
    contention: float = 0.0


async def buy(c: Clicker, own: deque, seats: list[int], plan: JourneyPlan) -> bool:
    """One buyer's journey: hold k seats one click at a time, book them, perhaps cancel.

    `own` is the buyer's share of the map (no other buyer's, unless `plan.contention` sends a
    click anywhere); a cancelled booking's seats go back to its end. The journey's time runs
    from the first click to the confirmed booking's answer. False once the share is used up.
    """
    wanted = random.randint(*plan.seats)
    await c.make_room(wanted)

    def next_seat() -> int | None:
        if plan.contention and random.random() < plan.contention:
            return random.choice(seats)
        return own.popleft() if own else None

    started = time.perf_counter()
    got = await hold_by_clicks(c, wanted, next_seat)
    if not got:
        return bool(own)
    if await book(c, got, started, plan.cancel_share) != "kept":
        own.extend(got)  # refused (given back) or cancelled: on sale again
    return bool(own)


async def hold_by_clicks(c: Clicker, wanted: int, next_seat) -> list[int]:
    """Hold `wanted` seats one click at a time, as the shipped client does: `next_seat()` says
    which seat the buyer clicks next (None: nothing left to click). A seat someone else holds
    is passed over; at most 4 clicks per seat wanted. The seats held."""
    got: list[int] = []
    clicked = False
    for _ in range(4 * wanted):
        if len(got) == wanted:
            break
        seat = next_seat()
        if seat is None:
            break
        clicked = True
        if seat in got:
            continue
        if await c.lock(seat):
            got.append(seat)
    if clicked and not got:
        c.rec.journey_notes["no_seat_held"] += 1
    return got


async def book(c: Clicker, got: list[int], started: float, cancel_share: float) -> str:
    """Book the held seats `got` with an `Idempotency-Key` (sent again with the same key after
    a lost answer or a 500/503), then cancel the booking with probability `cancel_share`.
    "kept", "cancelled", or "refused" (the seats are then given back). The journey's time runs
    from `started` (perf_counter of its first click) to the confirmed booking's answer."""
    rec = c.rec
    key = uuid.uuid4().hex
    for attempt in (0, 1, 2):  # a lost answer is asked again with the same key
        status, code, answer = await c.call(
            "reserve", "reserve/", {"seat_ids": got}, headers={"Idempotency-Key": key}
        )
        if code == "ok" or not (code.startswith("transport:") or code in RETRIED):
            break
        rec.journey_notes[f"reserve_sent_again_after:{code}"] += 1
        await asyncio.sleep(0.05 * (attempt + 1))
    if code != "ok":
        rec.journey_notes[f"reserve_refused:{code}"] += 1
        for seat in got:  # the buyer gives the seats back rather than leave them held
            await c.unlock(seat)
        return "refused"
    reservation = orjson.loads(answer)["reservation"]
    rec.journey(time.perf_counter() - started, len(got))
    c.booked[reservation["id"]] = got
    for seat in got:
        if seat in c.held:
            c.held.remove(seat)
    if cancel_share and random.random() < cancel_share:
        _, code, _ = await c.call("cancel", f"/api/reservations/{reservation['id']}/cancel/", {})
        if code == "ok":
            c.cancelled.add(reservation["id"])
            return "cancelled"
        rec.journey_notes[f"cancel_refused:{code}"] += 1
    return "kept"
