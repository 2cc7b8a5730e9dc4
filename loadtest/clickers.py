"""Clickers: users holding and booking seats at once, each as a profile of loadtest/profiles/
says (or the waiting room's buyers: queue_buyers.py), and the shipped client's steps that they
share: holding seats one click at a time and booking them.

Each clicker authenticates as `--auth` says (loadtest/auth.py).
"""

import asyncio
import random
import time
import uuid

import aiohttp
import orjson

from .auth import Auth, AuthFailed, auth_for
from .stats import Recorder


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


async def log_in_all(clickers: list, client: aiohttp.ClientSession, mode: str) -> None:
    """Every clicker logged in, LOGINS_AT_ONCE at a time; one that cannot ends the run."""
    logins = asyncio.Semaphore(LOGINS_AT_ONCE)
    try:
        await asyncio.gather(*(log_in(c, client, logins) for c in clickers))
    except AuthFailed as exc:
        raise SystemExit(f"--auth {mode}: {exc}") from exc


def first_users(users: list[dict], wanted: int, option: str) -> list[dict]:
    """The first `wanted` users of --users, which must have as many (`option` wants them)."""
    if len(users) < wanted:
        raise SystemExit(f"--users has {len(users)} users, {option} wants {wanted}")
    return users[:wanted]


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
        # What the verdict read back of its account: seats of the event it holds and has
        # booked, and its reservations of the event as the API lists them.
        self.owned = 0
        self.reservations: list[dict] = []
        # A network of its own, as buyers have (API.md "Holds per network"), said in
        # X-Forwarded-For: only a server that counts one more proxy than stands in front of
        # it believes it (the bench's, NUM_PROXIES=1); behind a real proxy it is never read.
        self.network = f"10.{index // 256 % 256}.{index % 256}.1"

    @classmethod
    def each(cls, users: list[dict], options, client, rec: Recorder, urls=None) -> list:
        """A clicker for each user, on `urls` (default: --url) in turn, as --auth and
        --hold-limit say."""
        urls, limit = urls or options.url, options.hold_limit
        clickers = []
        for i, user in enumerate(users):
            url = urls[i % len(urls)]
            auth = auth_for(options.auth, url, user, rec.auth)
            clickers.append(
                cls(i, user, url, options.event, client, rec, hold_limit=limit, auth=auth)
            )
        return clickers

    async def call(self, op: str, path: str, body: dict, headers: dict | None = None):
        """POST `path` (under /api/events/{id}/, or absolute from /api/) as this clicker;
        (status, code, answer). A refused credential is renewed once and the call sent again."""
        url = self.base + (
            path if path.startswith("/api/") else f"/api/events/{self.event_id}/{path}"
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
                    "X-Forwarded-For": self.network,
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
        if code == "ok" and seat_id not in self.held:
            self.held.append(seat_id)
        return code == "ok"

    async def unlock(self, seat_id: int) -> bool:
        _, code, _ = await self.call("unlock", f"seats/{seat_id}/unlock/", {})
        if seat_id in self.held:
            self.held.remove(seat_id)
        return code == "ok"

    async def make_room(self, room: int = 1) -> None:
        while self.held and len(self.held) + room > self.hold_limit:
            await self.unlock(self.held[0])


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
    rec.journeys.append((time.perf_counter() - started, len(got)))
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
