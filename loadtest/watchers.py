"""Watchers: WebSocket clients that keep the seat model of PROTOCOL.md and time every push.

The model is copy-on-write: every watcher that received the same snapshot text shares one parsed
base (thousands of watchers, one parse, one dict); each keeps only its own changes on top.

Why not `SeatModel` of realtime/tests/seat_model.py, the oracle of the server's tests: it holds
one `SeatState` object per seat per client, 1.2 MiB per watcher on a 10,000-seat event
(tracemalloc), so 12 GiB at 10,000 watchers, against the ~25 KiB per watcher this client needs
to run next to the server on the same machine. `SeatModel` below keeps the same version rule on
tuples, with the snapshot shared (~100 bytes per watcher plus its own changes); `frame_step` is
the `seq` and `epoch` rule (frames that cover a range of seqs included), and `Watcher.on_seats`
also counts duplicates and why it resyncs, which the report shows.
"""

import asyncio
import math
import random
import time

import aiohttp
import orjson

from realtime.protocol import STATE_OF_LETTER, CloseCode

from .browser import Browser
from .stats import Recorder

# PROTOCOL.md "Closing": the event does not exist, reconnecting cannot help; every other code
# the server closes with passes (too slow, too many, the live feed broke, a frame too big, no
# keepalive answer): reconnect and resync.
FINAL_CODES = frozenset({CloseCode.UNKNOWN_EVENT})
RECONNECT_CODES = frozenset(CloseCode) - FINAL_CODES


def state_seats(state: dict, seat_ids: list[int]) -> dict[int, tuple[str, int]]:
    """A `state` frame's (or `state/`'s) seats by id: its letters and versions are in the order
    of the map's `seats.id` (API.md)."""
    return {
        seat_id: (STATE_OF_LETTER[letter], version)
        for seat_id, letter, version in zip(
            seat_ids, state["status"], state["version"], strict=True
        )
    }


# Snapshot text -> (seq, epoch, seats by id): watchers that receive the same `state` frame (most
# of a connect burst; an event's watchers read it by the same map) parse it once and share the
# seats.
_snapshots: dict[str, tuple[int, str, dict[int, tuple[str, int]]]] = {}


def _snapshot_of(
    text: str, message: dict, seat_ids: list[int]
) -> tuple[int, str, dict[int, tuple[str, int]]]:
    parsed = (message["seq"], message["epoch"], state_seats(message, seat_ids))
    if len(_snapshots) > 64:
        _snapshots.clear()
    _snapshots[text] = parsed
    return parsed


# `seats` frame text -> the parsed message: the server writes the same frame to every watcher
# of the event, so a thousand watchers parse it once.
_frames: dict[str, dict] = {}


def _parsed(text: str) -> dict:
    message = _frames.get(text)
    if message is None:
        message = orjson.loads(text)
        if message.get("type") == "seats":
            if len(_frames) > 256:
                _frames.clear()
            _frames[text] = message
    return message


def frame_step(last_seq: int, last_epoch: str, seq: int, first_seq: int, epoch: str) -> str:
    """Where a `seats` frame stands in the stream after `last_seq` (PROTOCOL.md "Ordering and
    gaps"): "next" (apply it, and `seq` is the last seen), "duplicate" (seen already: drop it),
    "gap" or "epoch" (ask for a snapshot).

    A frame covers the transactions `first_seq` to `seq` (the server coalesces an event's
    changes into one frame; without `first_seq` a frame is one transaction, `first_seq` = `seq`).
    A frame that reaches back over what was seen is not a gap: only one that starts beyond the
    next seq is.
    """
    if epoch != last_epoch:
        return "epoch"
    if seq <= last_seq:
        return "duplicate"
    if first_seq > last_seq + 1:
        return "gap"
    return "next"


class SeatModel:
    """Seat states by id: apply a change only when its version is higher than the one held."""

    __slots__ = ("base", "own")

    def __init__(self):
        self.base: dict[int, tuple[str, int]] = {}
        self.own: dict[int, tuple[str, int]] = {}

    def reset(self, base: dict[int, tuple[str, int]]) -> None:
        """Take a snapshot, keeping what the socket already saw newer than it (a snapshot
        can be read before changes that reached this watcher first)."""
        newer = {
            seat_id: state
            for seat_id, state in self.own.items()
            if state[1] > base.get(seat_id, ("", -1))[1]
        }
        self.base, self.own = base, newer

    def state(self, seat_id: int) -> tuple[str, int] | None:
        return self.own.get(seat_id) or self.base.get(seat_id)

    def version(self, seat_id: int) -> int:
        state = self.state(seat_id)
        return -1 if state is None else state[1]

    def apply(self, seat_id: int, status: str, version: int) -> bool:
        if version > self.version(seat_id):
            self.own[seat_id] = (status, version)
            return True
        return False

    def as_dict(self) -> dict[int, tuple[str, int]]:
        return {**self.base, **self.own}


class Watcher:
    """One socket on one event. States: connecting, ready (has a snapshot), closed.

    `seat_ids`: the map's `seats.id` (api.fetch_map_ids), which its `state` frames are read by.
    """

    def __init__(
        self,
        index: int,
        ws_url: str,
        origin: str,
        rec: Recorder,
        *,
        session: Browser,
        seat_ids: list[int],
    ):
        self.index, self.ws_url, self.origin, self.rec = index, ws_url, origin, rec
        self.session, self.seat_ids = session, seat_ids
        self._model = SeatModel()
        # Changes received and not yet applied to the model: applied when the model is read
        # (a buyer choosing seats, the verdict), so that watching costs the load client a list
        # append per frame, not a dict update per seat changed (at 2,000 watchers that was the
        # client's whole core, and the figures were the client's queue).
        self._unapplied: list[list[dict]] = []
        self.seq: int | None = None
        self.epoch: str | None = None
        self.resyncing = False
        self.ready = asyncio.Event()
        self.failed: str | None = None
        self.closed = False
        self.snapshots = 0
        self.drops = 0  # in a row, without a snapshot between: the reconnect delay grows
        # (epoch, seq, seats by id) the page read before opening the socket (state/): the
        # first connection resumes from there (PROTOCOL.md "Resuming") instead of a snapshot.
        self.resume: tuple[str, int, dict[int, tuple[str, int]]] | None = None
        self.resumed = 0
        self._ws = None

    @property
    def model(self) -> SeatModel:
        if self._unapplied:
            model = self._model
            for changes in self._unapplied:
                for change in changes:
                    model.apply(change["id"], change["status"], change["version"])
            self._unapplied = []
        return self._model

    async def run(self) -> None:
        """Until cancelled (the end of the run). A socket the server closes is reopened, as a
        browser would (a fresh snapshot follows): after its first snapshot for any reason, and
        before it for the close codes of PROTOCOL.md that say so. Other sockets that never got
        a snapshot count as refused; 4404 is final."""
        rec = self.rec
        try:
            while True:
                code = None
                try:
                    code = await self._session()
                    reason = "ws_closed_by_server" + (f": code {code}" if code else "")
                except Exception as exc:  # refused, reset, closed with an error code
                    reason = f"{type(exc).__name__}: {exc}"[:200]
                self.closed = True
                if code is not None:
                    rec.closed(code)
                kind = reason.split(":")[0]
                if code in FINAL_CODES or not (self.ready.is_set() or code in RECONNECT_CODES):
                    if not self.ready.is_set():
                        self.failed = reason
                        rec.refused += 1
                        rec.errors[f"ws_refused:{kind}"] += 1
                        self.ready.set()
                    return
                if self.ready.is_set():
                    rec.dropped += 1
                    rec.errors[f"ws_dropped:{kind}"] += 1
                self.seq = None
                self.drops += 1
                await asyncio.sleep(random.uniform(0.1, 1.0) * 2 ** min(self.drops - 1, 4))
        except asyncio.CancelledError:
            self.closed = True
            self.ready.set()

    async def _session(self) -> int | None:
        """One socket, until the server closes it: the close code it sent, if it sent one."""
        url = self.ws_url
        if self.resume is not None:
            url += f"?epoch={self.resume[0]}&seq={self.resume[1]}"
        socket = self._ws = await self.session.websocket(url, self.origin)
        self.closed = False
        self.rec.connected += 1
        socket.listen(self.on_frame)
        try:
            return await socket.close_code
        finally:
            socket.transport.close()

    def on_frame(self, text: str) -> None:
        now = time.time_ns()
        known = _snapshots.get(text)  # a snapshot this process already parsed: no parse
        if known is not None:
            self.on_snapshot(*known)
            return
        message = _parsed(text)
        kind = message.get("type")
        if kind == "seats":
            self.on_seats(message, now)
        elif kind == "presence":
            self.rec.presence += 1
        elif kind == "state":
            self.resume = None
            self.on_snapshot(*_snapshot_of(text, message, self.seat_ids))
        elif kind == "resumed" and self.resume is not None:
            _, _, base = self.resume
            self.resume = None
            self.resumed += 1
            self.on_snapshot(message["seq"], message["epoch"], base)
        elif kind == "error":
            self.rec.errors[f"ws_error:{message.get('code')}"] += 1

    def on_snapshot(self, seq: int, epoch: str, base: dict[int, tuple[str, int]]) -> None:
        self.model.reset(base)
        self.seq, self.epoch, self.resyncing = seq, epoch, False
        self.snapshots += 1
        self.drops = 0
        if not self.ready.is_set():
            self.rec.snapshot_at(self.index)
            self.ready.set()

    def on_seats(self, message: dict, now: int) -> None:
        seq, epoch = message["seq"], message["epoch"]
        rec = self.rec
        rec.push(seq, epoch, message.get("ts"), now, message["changes"])
        # By version, whatever the frame's place in the stream: a late change never turns a
        # seat back, and a duplicate's changes cannot hurt (applied when read: see `model`).
        self._unapplied.append(message["changes"])
        if self.resyncing or self.seq is None:
            return
        step = frame_step(self.seq, self.epoch, seq, message.get("first_seq", seq), epoch)
        if step == "next":
            self.seq = seq
        elif step == "duplicate":
            rec.duplicates += 1
        else:
            self.resync(step)

    def resync(self, why: str) -> None:
        self.resyncing = True
        self.rec.resyncs[why] += 1
        self._ws.send_text('{"type":"snapshot"}')


class Poller:
    """The seed design: fetch the whole seat list every `interval` seconds."""

    def __init__(
        self,
        index: int,
        seats_url: str,
        client: aiohttp.ClientSession,
        rec: Recorder,
        interval: float,
    ):
        self.index, self.seats_url, self.client, self.rec = index, seats_url, client, rec
        self.interval = interval
        self.model = SeatModel()
        self.ready = asyncio.Event()
        self.failed: str | None = None
        self.closed = False

    async def poll_once(self) -> None:
        rec = self.rec
        started = time.perf_counter()
        try:
            async with self.client.get(self.seats_url) as response:
                status, body = response.status, await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            rec.errors[f"poll:{type(exc).__name__}"] += 1
            return
        finally:
            rec.poll_latency.append(time.perf_counter() - started)
        rec.polls += 1
        if status != 200:
            rec.errors[f"poll:{status}"] += 1
            return
        now = time.time_ns()
        first = not self.ready.is_set()
        model = self.model
        for seat in orjson.loads(body)["seats"]:
            old = model.version(seat["id"])
            if model.apply(seat["id"], seat["status"], seat["version"]) and not first:
                rec.poll_seen(seat["id"], old, seat["version"], now)
        if first:
            rec.snapshot_at(self.index)
            self.ready.set()

    async def run(self) -> None:
        """Until cancelled (the end of the run)."""
        try:
            await self.poll_once()
            if not self.ready.is_set():
                self.failed = "first poll failed"
                self.rec.refused += 1
                self.closed = True
                self.ready.set()
                return
            await asyncio.sleep(random.uniform(0, self.interval))
            while True:
                started = time.monotonic()
                await self.poll_once()
                await asyncio.sleep(max(0.0, self.interval - (time.monotonic() - started)))
        except asyncio.CancelledError:
            self.closed = True


async def open_watchers(watchers: list, options) -> tuple[list, int]:
    """Open the watchers in bursts (this process's share of each burst) and wait for their
    snapshots, up to --connect-timeout. Returns their tasks and when the last burst opened."""
    burst = max(1, math.ceil(options.connect_burst / options.procs))
    bursts = max(1, math.ceil(len(watchers) / burst))
    interval = options.connect_interval
    if options.connect_within is not None:
        interval = options.connect_within / bursts if bursts > 1 else 0
    tasks = []
    for b in range(bursts):
        tasks += [asyncio.ensure_future(w.run()) for w in watchers[b * burst : (b + 1) * burst]]
        if b < bursts - 1 and interval:
            await asyncio.sleep(interval)
    opened_at = time.time_ns()
    try:
        await asyncio.wait_for(
            asyncio.gather(*(w.ready.wait() for w in watchers)), options.connect_timeout
        )
    except TimeoutError:
        not_ready = sum(1 for w in watchers if not w.ready.is_set())
        watchers[0].rec.errors["watcher_not_ready_in_time"] += not_ready
    return tasks, opened_at
