"""One buyer of the queue profile (`--profile queue`): an account in the event's waiting room.

It opens the event's socket at its time (before the on-sale, or after it: late), says whose it
is (`auth`), joins (`POST queue/join/`) and waits on its socket, reading every `queue` frame
and its `place`. When a frame calls its number it claims its turn (unless it is a no-show),
shows the turn token on its socket (`turn`: the snapshot follows) and books: best available,
or seats its own map shows free near the stage, with the token in `Queue-Turn`; then reserves.
What it sees goes into its `Observed` (queue_observed.py) for the verdict and the figures. Its
socket stays open until the run ends, as a waiting browser tab does.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass

import aiohttp
import orjson

from realtime.protocol import CloseCode

from .clickers import RETRIED, TRANSPORT_ERRORS, Clicker, book, hold_by_clicks
from .onsale_buyers import hold_best, near_stage_picker
from .queue_observed import Observed, parsed
from .stats import Recorder
from .watchers import SeatModel, state_seats

QUEUE_TURN_HEADER = "Queue-Turn"  # API.md "The turn token"
# How long a buyer waits for its socket's first frame before joining anyway (the HTTP side
# does not need the socket), and for the snapshot after showing its turn.
SOCKET_PATIENCE = 30.0
SNAPSHOT_PATIENCE = 10.0
# A pre-queue entrant whose socket has seen the draw and not its number asks for its place
# after this long (the `place` frame of the draw can be lost with a reconnect).
PLACE_PATIENCE = 3.0
# A buyer who got no seat looks at its map this often, and tries this many times in all.
BOOKING_ATTEMPTS = 20
RETRY_PAUSE_S = 0.3


async def frames_until_closed(ws: aiohttp.ClientWebSocketResponse, on_frame) -> int | None:
    """Hand each text frame of the socket to `on_frame` until it closes: the close code the
    server sent, or None when the connection ended without a close frame."""
    while True:
        frame = await ws.receive()
        if frame.type == aiohttp.WSMsgType.TEXT:
            on_frame(frame.data)
        elif frame.type == aiohttp.WSMsgType.CLOSE:
            return frame.data
        elif frame.type == aiohttp.WSMsgType.ERROR:
            raise ws.exception() or ConnectionError("websocket error")
        elif frame.type in (aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
            return None


async def reopened(once, failed, closed) -> None:
    """A socket until cancelled: `once()` (one connection, until it closes: the close code the
    server sent, or None) again after a growing, jittered delay whenever it ends, but for
    4404; `failed(exc)` and `closed(code)` note each end."""
    drops = 0
    while True:
        code = None
        try:
            code = await once()
        except Exception as exc:  # refused, reset, closed with an error
            failed(exc)
        closed(code)
        if code == CloseCode.UNKNOWN_EVENT:
            return
        drops += 1
        await asyncio.sleep(random.uniform(0.1, 1.0) * 2 ** min(drops - 1, 4))


class TurnClicker(Clicker):
    """A clicker whose every call carries its turn, once it has one (lock, lock several and
    best available need it while the waiting room is on; the others ignore it)."""

    turn: str | None = None

    async def call(self, op: str, path: str, body: dict, headers: dict | None = None):
        if self.turn is not None:
            headers = {QUEUE_TURN_HEADER: self.turn, **(headers or {})}
        return await super().call(op, path, body, headers)


@dataclass(frozen=True)
class BuyerPlan:
    """What one buyer does: when it joins (wall-clock ns), whether it claims when called, how
    many seats it wants and how it picks them."""

    join_at_ns: int
    no_show: bool
    seats: int
    best: bool
    claim_delay: float  # seconds from its call to its claim


async def sleep_until(moment_ns: int) -> None:
    delay = (moment_ns - time.time_ns()) / 1e9
    if delay > 0:
        await asyncio.sleep(delay)


class QueueBuyer:
    def __init__(
        self,
        clicker: TurnClicker,
        plan: BuyerPlan,
        *,
        ws_url: str,
        sockets: aiohttp.ClientSession,
        ranking: list[int],
        seat_ids: list[int],
    ):
        self.clicker, self.plan, self.ws_url, self.sockets = clicker, plan, ws_url, sockets
        self.rec: Recorder = clicker.rec
        self.ranking = ranking
        self.seat_ids = seat_ids  # the map's `seats.id`, which its `state` frames are read by
        self.seen = Observed(clicker.index, no_show=plan.no_show)
        self.model = SeatModel()
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.socket_task: asyncio.Future | None = None
        self.serving = 0  # the highest `serving` its socket read
        self.drawn = False
        self.socket_up = asyncio.Event()  # its first queue frame came
        self.called = asyncio.Event()
        self.sold_out = asyncio.Event()
        self.snapshot = asyncio.Event()
        self.done = False

    # --- the socket --------------------------------------------------------------------------

    def _frame_text(self, kind: str, token: str) -> str:
        return orjson.dumps({"type": kind, "token": token}).decode()

    def access_token(self) -> str | None:
        bearer = self.clicker.auth.headers.get("Authorization", "")
        return bearer.removeprefix("Bearer ") or None

    async def socket_forever(self) -> None:
        """Its socket until the run ends; reopened whenever the server closes it, but for
        4404 (`reopened`)."""

        def failed(exc: Exception) -> None:
            self.rec.errors[f"queue_socket:{type(exc).__name__}"] += 1

        def closed(code: int | None) -> None:
            self.ws = None
            if code is not None:
                self.rec.closed(code)
            if code != CloseCode.UNKNOWN_EVENT:
                self.rec.dropped += 1

        await reopened(self._socket_once, failed, closed)

    async def _socket_once(self) -> int | None:
        async with self.sockets.ws_connect(
            self.ws_url,
            origin=self.clicker.base,
            max_msg_size=2**24,
            autoping=True,
            timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=1),
        ) as ws:
            self.seen.opened_ns.append(time.time_ns())
            self.rec.connected += 1
            token = self.access_token()
            if token is not None:
                await ws.send_str(self._frame_text("auth", token))
            if self.clicker.turn is not None:  # PROTOCOL.md: again on each connection
                await ws.send_str(self._frame_text("turn", self.clicker.turn))
            self.ws = ws
            return await frames_until_closed(ws, self.on_frame)

    def on_frame(self, text: str) -> None:
        now = time.time_ns()
        message, frame = parsed(text)
        if frame is not None:
            self.seen.frames.append((now, frame))
            self.serving = max(self.serving, frame.serving)
            self.drawn = self.drawn or frame.drawn
            self.socket_up.set()
            if frame.state == "sold_out":
                self.sold_out.set()
            self._check_called()
            return
        kind = message.get("type")
        if kind == "place":
            self.seen.places_told.append((message.get("entry_id"), message.get("number")))
            self.placed(message, now)
        elif kind == "state":
            self.model.reset(state_seats(message, self.seat_ids))
            if self.seen.turn_shown_ns is None:
                self.seen.turn_shown_ns = now
            self.snapshot.set()
        elif kind == "seats":
            for change in message["changes"]:
                self.model.apply(change["id"], change["status"], change["version"])
        elif kind == "error":
            self.rec.errors[f"ws_error:{message.get('code')}"] += 1

    def placed(self, place: dict, now: int) -> None:
        """Its place, from the join's answer, a `place` frame or `GET queue/`."""
        seen = self.seen
        if seen.entry_id is None:
            seen.entry_id = place.get("entry_id")
        if place.get("number") is not None and seen.number is None:
            seen.number, seen.number_ns = place["number"], now
        if place.get("late") is not None:
            seen.late = place["late"]
        self._check_called()

    def _check_called(self) -> None:
        if self.seen.number is not None and self.serving >= self.seen.number:
            self.called.set()

    # --- the buyer ---------------------------------------------------------------------------

    async def live(self) -> None:
        """Join at its time, wait to be called, claim, book."""
        try:
            await self._live()
        finally:
            self.done = True

    async def _live(self) -> None:
        c, seen, plan = self.clicker, self.seen, self.plan
        await sleep_until(plan.join_at_ns)
        self.socket_task = asyncio.ensure_future(self.socket_forever())
        try:
            await asyncio.wait_for(self.socket_up.wait(), SOCKET_PATIENCE)
        except TimeoutError:
            self.rec.errors["queue_socket_not_up_in_time"] += 1
        _, code, answer = await c.call("join", "queue/join/", {})
        seen.join_code = code
        if code != "ok":
            return
        seen.joined_ns = time.time_ns()
        self.placed(orjson.loads(answer)["place"], seen.joined_ns)
        if not await self._wait_for_call():
            return
        if plan.no_show:
            return
        await asyncio.sleep(plan.claim_delay)
        if not await self._claim():
            return
        with contextlib.suppress(*TRANSPORT_ERRORS, ConnectionError, RuntimeError):
            if self.ws is not None:  # else its next connection shows the turn
                await self.ws.send_str(self._frame_text("turn", c.turn))
        try:
            await asyncio.wait_for(self.snapshot.wait(), SNAPSHOT_PATIENCE)
        except TimeoutError:
            self.rec.errors["turn_without_snapshot_in_time"] += 1
        await self._book()

    async def _wait_for_call(self) -> bool:
        """Until its number is called (True) or the event sold out first (False)."""
        while not (self.called.is_set() or self.sold_out.is_set()):
            either = [
                asyncio.ensure_future(self.called.wait()),
                asyncio.ensure_future(self.sold_out.wait()),
            ]
            await asyncio.wait(either, timeout=PLACE_PATIENCE, return_when=asyncio.FIRST_COMPLETED)
            for task in either:
                task.cancel()
            if self.drawn and self.seen.number is None and not self.called.is_set():
                await self._read_place()
        return self.called.is_set()

    async def _read_place(self) -> None:
        c = self.clicker
        url = f"{c.base}/api/events/{c.event_id}/queue/"
        try:
            async with c.client.get(url, headers=c.auth.headers) as response:
                body = await response.read()
            if response.status == 200 and (place := orjson.loads(body).get("place")):
                self.rec.journey_notes["place_read_after_draw"] += 1
                self.placed(place, time.time_ns())
        except TRANSPORT_ERRORS as exc:
            self.rec.errors[f"queue_state:{type(exc).__name__}"] += 1

    async def _claim(self) -> bool:
        """Claim the turn (a lost answer or a 5xx asked again, twice): whether it came."""
        c, seen = self.clicker, self.seen
        for attempt in (0, 1, 2):
            seen.claim_attempts += 1
            if seen.claim_sent_ns is None:
                seen.claim_sent_ns = time.time_ns()
            _, code, answer = await c.call("claim", "queue/claim/", {})
            seen.claim_answered_ns = time.time_ns()
            if not (code.startswith("transport:") or code in RETRIED):
                break
            await asyncio.sleep(0.2 * (attempt + 1))
        seen.claim_code = code
        if code != "ok":
            return False
        c.turn = orjson.loads(answer)["turn"]["token"]
        return True

    async def _book(self) -> None:
        """Hold and book its seats. A buyer who got none keeps its map open while its turn
        runs and clicks again whenever the map shows seats free (fewer, if fewer are left),
        until sold out: an empty-handed turn keeps seats spoken for until it ends, so a
        buyer who left would stall the room."""
        c, plan = self.clicker, self.plan
        wanted = plan.seats
        for attempt in range(BOOKING_ATTEMPTS):
            if attempt:
                free = await self._seats_free()
                if not free:
                    return
                wanted = min(wanted, free)
                self.rec.journey_notes["booking_tried_again"] += 1
            started = time.perf_counter()
            if plan.best and not attempt:  # refused (no block together): it picks on the map
                got = await hold_best(c, wanted)
            else:
                got = await hold_by_clicks(c, wanted, near_stage_picker(self.model, self.ranking))
            if got and await book(c, got, started, 0.0) == "kept":
                self.seen.seats_booked = len(got)
                return
        self.rec.journey_notes["gave_up_after_attempts"] += 1

    async def _seats_free(self) -> int:
        """Seats its map shows free, once it shows any (0: sold out came first)."""
        while not self.sold_out.is_set():
            if free := self.free_seats():
                return free
            await asyncio.sleep(RETRY_PAUSE_S)
        return 0

    def free_seats(self) -> int:
        model = self.model
        return sum(1 for seat in self.ranking if (model.state(seat) or ("",))[0] == "available")

    async def stop(self) -> None:
        """The end of the run: note whether its socket was open, and close it."""
        if self.socket_task is None or self.socket_task.done():
            return
        self.seen.open_at_end = self.ws is not None and not self.ws.closed
        self.socket_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.socket_task
