"""Watchers: WebSocket clients that keep the seat model of PROTOCOL.md and time every push.

The model is copy-on-write: every watcher that received the same snapshot text shares one parsed
base (thousands of watchers, one parse, one dict); each keeps only its own changes on top.
"""

import asyncio
import random
import time

import aiohttp
import orjson

from .stats import Recorder

_bases: dict[str, dict[int, tuple[str, int]]] = {}


def _base_of(snapshot_text: str, seats: list | None = None) -> dict[int, tuple[str, int]]:
    base = _bases.get(snapshot_text)
    if base is None:
        if seats is None:
            seats = orjson.loads(snapshot_text)["seats"]
        base = {s["id"]: (s["status"], s["version"]) for s in seats}
        if len(_bases) > 64:
            _bases.clear()
        _bases[snapshot_text] = base
    return base


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

    def version(self, seat_id: int) -> int:
        state = self.own.get(seat_id) or self.base.get(seat_id)
        return -1 if state is None else state[1]

    def apply(self, seat_id: int, status: str, version: int) -> bool:
        if version > self.version(seat_id):
            self.own[seat_id] = (status, version)
            return True
        return False

    def as_dict(self) -> dict[int, tuple[str, int]]:
        return {**self.base, **self.own}


class Watcher:
    """One socket on one event. States: connecting, ready (has a snapshot), closed."""

    def __init__(
        self,
        index: int,
        ws_url: str,
        origin: str,
        rec: Recorder,
        *,
        deflate: bool,
        session: aiohttp.ClientSession,
    ):
        self.index, self.ws_url, self.origin, self.rec = index, ws_url, origin, rec
        self.session = session
        self.deflate = deflate
        self.model = SeatModel()
        self.seq: int | None = None
        self.epoch: str | None = None
        self.resyncing = False
        self.ready = asyncio.Event()
        self.failed: str | None = None
        self.closed = False
        self.snapshots = 0
        self.resyncs = 0
        self._ws = None

    async def run(self) -> None:
        """Until cancelled (the end of the run). A socket the server closes after its first
        snapshot is reopened, as a browser would (a fresh snapshot follows); one that never
        got a snapshot counts as refused."""
        rec = self.rec
        try:
            while True:
                try:
                    # aiohttp's frame reader is compiled: about half the client CPU per message
                    # of the pure-Python websockets client, which limited the 5,000-watcher runs.
                    async with self.session.ws_connect(
                        self.ws_url,
                        origin=self.origin,
                        compress=15 if self.deflate else 0,
                        max_msg_size=2**24,
                        autoping=True,
                        timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=1),
                    ) as ws:
                        self._ws = ws
                        self.closed = False
                        rec.connected += 1
                        async for frame in ws:
                            if frame.type == aiohttp.WSMsgType.TEXT:
                                self.on_frame(frame.data)
                            elif frame.type == aiohttp.WSMsgType.ERROR:
                                raise ws.exception() or ConnectionError("websocket error")
                        code = ws.close_code
                    reason = "ws_closed_by_server" + (f": code {code}" if code else "")
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # refused, reset, closed with an error code
                    reason = f"{type(exc).__name__}: {exc}"[:200]
                self.closed = True
                kind = reason.split(":")[0]
                if not self.ready.is_set():
                    self.failed = reason
                    rec.refused += 1
                    rec.errors[f"ws_refused:{kind}"] += 1
                    self.ready.set()
                    return
                rec.dropped += 1
                rec.errors[f"ws_dropped:{kind}"] += 1
                self.seq = None
                await asyncio.sleep(random.uniform(0.1, 1.0))
        except asyncio.CancelledError:
            self.closed = True
            self.ready.set()

    def on_frame(self, text: str) -> None:
        now = time.time_ns()
        if text.startswith('{"type":"seats"'):
            self.on_seats(orjson.loads(text), now)
        elif text.startswith('{"type":"snapshot"'):
            self.on_snapshot(text)
        elif text.startswith('{"type":"presence"'):
            self.rec.presence += 1
        else:
            message = orjson.loads(text)
            if message.get("type") == "seats":
                self.on_seats(message, now)
            elif message.get("type") == "snapshot":
                self.on_snapshot(text)
            elif message.get("type") == "error":
                self.rec.errors[f"ws_error:{message.get('code')}"] += 1

    def on_snapshot(self, text: str) -> None:
        message = orjson.loads(text) if text not in _bases else None
        if message is not None:
            base = _base_of(text, message["seats"])
            seq, epoch = message["seq"], message["epoch"]
        else:
            base = _bases[text]
            head = orjson.loads(text[: text.index(',"seats"')] + "}")
            seq, epoch = head["seq"], head["epoch"]
        self.model.reset(base)
        self.seq, self.epoch, self.resyncing = seq, epoch, False
        self.snapshots += 1
        if not self.ready.is_set():
            self.rec.snapshot_at(self.index)
            self.ready.set()

    def on_seats(self, message: dict, now: int) -> None:
        seq, epoch = message["seq"], message["epoch"]
        rec = self.rec
        rec.push(seq, epoch, message.get("ts"), now, message["changes"])
        for change in message["changes"]:
            self.model.apply(change["id"], change["status"], change["version"])
        if self.resyncing or self.seq is None:
            return
        if epoch != self.epoch:
            self.resync("epoch")
        elif seq <= self.seq:
            rec.duplicates += 1
        elif seq > self.seq + 1:
            self.resync("gap")
        else:
            self.seq = seq

    def resync(self, why: str) -> None:
        self.resyncing = True
        self.resyncs += 1
        self.rec.resyncs[why] += 1
        asyncio.ensure_future(self._ws.send_str('{"type":"snapshot"}'))


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
        self.resyncs = 0

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
