"""The WebSocket of PROTOCOL.md: one socket watches one event's seat map. It never writes."""

import contextlib
import logging
import time

import orjson
from channels.generic.websocket import AsyncWebsocketConsumer

from .hub import CLOSE_LAYER_DOWN, hub

logger = logging.getLogger("realtime.consumers")

MAX_FRAME_BYTES = 4096
# Token bucket per socket: a burst of FLOOD_BURST frames, refilled at FLOOD_RATE per second.
FLOOD_RATE = 10.0
FLOOD_BURST = 30.0

INVALID = '{"type":"error","code":"invalid"}'
PONG = '{"type":"pong"}'


class EventSeatsConsumer(AsyncWebsocketConsumer):
    # No channel of its own on the channel layer: the process's hub relays to it (see hub.py).
    channel_layer_alias = "__none__"

    async def connect(self):
        self.event_id = int(self.scope["url_route"]["kwargs"]["event_id"])
        # Messages relayed before the first snapshot is sent wait here.
        self._pending: list[tuple[str, int, str]] | None = []
        self._snapshot_seq = ("", 0)
        self._tokens = FLOOD_BURST
        self._refilled = time.monotonic()
        await self.accept()
        if not await hub().event_known(self.event_id):
            await self.close(code=4404)
            return
        try:
            await hub().join(self)
        except Exception as exc:  # the channel layer is down, or did not answer in time
            logger.warning("watcher refused, channel layer down: %s", exc)
            await self.close(code=CLOSE_LAYER_DOWN)
            return
        await self._send_snapshot()

    async def disconnect(self, code):
        if getattr(self, "event_id", None) is not None:
            hub().leave(self)

    async def receive(self, text_data=None, bytes_data=None):
        if self._flooding():
            await self.close(code=4429)
            return
        frame = text_data if text_data is not None else bytes_data
        if frame is None or len(frame) > MAX_FRAME_BYTES:
            await self.send(INVALID)
            return
        try:
            kind = orjson.loads(frame).get("type")
        except (orjson.JSONDecodeError, AttributeError):
            kind = None
        if kind == "ping":
            await self.send(PONG)
        elif kind == "snapshot":
            await self._send_snapshot()
        else:
            await self.send(INVALID)

    def _flooding(self) -> bool:
        now = time.monotonic()
        self._tokens = min(FLOOD_BURST, self._tokens + (now - self._refilled) * FLOOD_RATE)
        self._refilled = now
        self._tokens -= 1
        return self._tokens < 0

    async def _send_snapshot(self):
        # While the snapshot is read, relayed messages wait here (None: not reading one).
        if self._pending is None:
            self._pending = []
        snapshot = await hub().snapshot(self.event_id)
        self._snapshot_seq = (snapshot.epoch, snapshot.seq)
        await self.send(snapshot.text)
        pending, self._pending = self._pending, None
        for text, seq, epoch in pending:
            await self._forward(text, seq, epoch)

    async def _forward(self, text: str, seq: int, epoch: str) -> None:
        snapshot_epoch, snapshot_seq = self._snapshot_seq
        if epoch == snapshot_epoch and seq <= snapshot_seq:
            return  # published before the snapshot was read: already in it
        with contextlib.suppress(Exception):  # the socket went away; its disconnect follows
            await self.send(text)

    # --- called by the hub --------------------------------------------------------------------

    async def deliver(self, text: str, seq: int, epoch: str) -> None:
        if self._pending is not None:
            self._pending.append((text, seq, epoch))
            return
        await self._forward(text, seq, epoch)

    async def deliver_presence(self, text: str) -> None:
        if self._pending is None:
            with contextlib.suppress(Exception):
                await self.send(text)

    async def drop(self, code: int) -> None:
        await self.close(code=code)
