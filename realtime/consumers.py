"""The WebSocket of PROTOCOL.md: one socket watches one event's seat map. It never writes.

Everything the socket sends goes through its outbox (outbox.py), in order: the snapshot, the
`seats` frames relayed after it, presence, and the answers to the client's frames. No
exception leaves the consumer: a watcher gets its snapshot, or a documented close code.
"""

import asyncio
import logging
import time
from urllib.parse import parse_qs

import orjson
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from reservations.api.client_address import address_key, scope_client_address

from .frames import PREBUILT_FRAMES, Encoded, encoded_text
from .hub import CLOSE_LAYER_DOWN, hub
from .outbox import CLOSE_TOO_SLOW, Outbox

logger = logging.getLogger("realtime.consumers")

# Token bucket per socket: a burst of FLOOD_BURST frames, refilled at FLOOD_RATE per second.
FLOOD_RATE = 10.0
FLOOD_BURST = 30.0
CLOSE_UNKNOWN_EVENT = 4404
CLOSE_TOO_MANY = 4429
# After the snapshot sent on connecting, a socket gets at most one per this many seconds.
SNAPSHOT_INTERVAL = 2.0
MAX_FRAME_BYTES = 4096

INVALID = encoded_text('{"type":"error","code":"invalid"}')
PONG = encoded_text('{"type":"pong"}')


def _resume_position(query_string: bytes) -> tuple[str, int] | None:
    """`?epoch=E&seq=S` of a client that has the map up to there; anything else: None."""
    try:
        query = parse_qs(query_string.decode("ascii"), max_num_fields=4)
        (epoch,), (seq,) = query["epoch"], query["seq"]
        position = (epoch, int(seq))
    except (KeyError, ValueError, UnicodeDecodeError):
        return None
    return position if 0 < len(epoch) <= 64 and 0 <= position[1] < 2**62 else None


class EventSeatsConsumer(AsyncWebsocketConsumer):
    # No channel of its own on the channel layer: the process's hub relays to it (see hub.py).
    channel_layer_alias = "__none__"

    async def dispatch(self, message):
        """As Channels' own, without closing Django's old database connections first: that is
        a hop to a worker thread for every connect, frame and close (measured: a fifth of a
        socket's CPU, arriving at an on-sale), and nothing here uses Django's connection on
        the loop; the reads that do run under database_sync_to_async, which closes them."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message):
        """As Channels' own (no groups to leave: see channel_layer_alias), without the same hop
        after `disconnect`."""
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def connect(self):
        self.event_id = int(self.scope["url_route"]["kwargs"]["event_id"])
        # The socket cap counts per address_key: an IPv6 client by its /64.
        self.address = address_key(scope_client_address(self.scope))
        prebuilt = self.scope.get("extensions", {}).get(PREBUILT_FRAMES)
        self.outbox = Outbox(self.base_send, prebuilt["write"] if prebuilt else None)
        # Relayed messages that come while a snapshot is read wait here (None: not reading one).
        self._pending: list[tuple[Encoded, int, str]] | None = []
        self._snapshot_seq = ("", 0)
        self._next_snapshot_at = 0.0
        self._snapshot_due: asyncio.TimerHandle | None = None
        self._tokens = FLOOD_BURST
        self._refilled = time.monotonic()
        self._counted = False
        await self.accept()
        limit = settings.WS_MAX_SOCKETS_PER_ADDRESS
        if limit and hub().addresses[self.address] >= limit:
            await self.close(code=CLOSE_TOO_MANY)
            return
        hub().addresses[self.address] += 1
        self._counted = True
        try:
            if not await hub().event_known(self.event_id):
                await self.close(code=CLOSE_UNKNOWN_EVENT)
                return
            await hub().join(self)
        except Exception as exc:  # the database or the channel layer is down or slow
            logger.warning("watcher refused, backend unavailable: %s", exc)
            await self.close(code=CLOSE_LAYER_DOWN)
            return
        position = _resume_position(self.scope.get("query_string", b""))
        frames = hub().resume(self.event_id, *position) if position else None
        if frames is None:
            await self._send_snapshot()
        else:
            self._resume(*position, frames)

    async def disconnect(self, code):
        if getattr(self, "outbox", None) is None:
            return
        hub().leave(self)
        self.outbox.stop()
        if self._snapshot_due is not None:
            self._snapshot_due.cancel()
        if self._counted:
            self._counted = False
            addresses = hub().addresses
            addresses[self.address] -= 1
            if addresses[self.address] <= 0:
                del addresses[self.address]

    async def receive(self, text_data=None, bytes_data=None):
        if self._flooding():
            await self.drop(CLOSE_TOO_MANY)
            return
        frame = text_data if text_data is not None else bytes_data
        try:
            # The shipped server (config/server.py) refuses a frame over the limit unread;
            # this is for servers without a frame limit of their own.
            kind = orjson.loads(frame).get("type") if len(frame) <= MAX_FRAME_BYTES else None
        except (orjson.JSONDecodeError, AttributeError, TypeError):
            kind = None
        if kind == "ping":
            self._put(PONG)
        elif kind == "snapshot":
            self._snapshot_requested()
        else:
            self._put(INVALID)

    def _flooding(self) -> bool:
        now = time.monotonic()
        self._tokens = min(FLOOD_BURST, self._tokens + (now - self._refilled) * FLOOD_RATE)
        self._refilled = now
        self._tokens -= 1
        return self._tokens < 0

    def _snapshot_requested(self) -> None:
        """Answer at once if the socket's ration allows, else once, at the window's end."""
        if self._snapshot_due is not None or self._pending is not None:
            return  # one is on its way: it answers this request too
        wait = self._next_snapshot_at - time.monotonic()
        if wait <= 0:
            asyncio.ensure_future(self._send_snapshot())
        else:
            self._snapshot_due = asyncio.get_running_loop().call_later(wait, self._snapshot_window)

    def _snapshot_window(self) -> None:
        self._snapshot_due = None
        asyncio.ensure_future(self._send_snapshot())

    async def _send_snapshot(self) -> None:
        if self._pending is None:
            self._pending = []
        self._next_snapshot_at = time.monotonic() + SNAPSHOT_INTERVAL
        try:
            epoch, seq, snapshot = await hub().snapshot(self.event_id)
        except Exception as exc:  # Redis or the database went away mid-read
            logger.warning("snapshot of event %s failed: %s", self.event_id, exc)
            await self.drop(CLOSE_LAYER_DOWN)
            return
        self._snapshot_seq = (epoch, seq)
        self._put(snapshot)
        pending, self._pending = self._pending, None
        for frame, seq, epoch in pending:
            if not self.deliver(frame, seq, epoch):
                hub().drop(self, CLOSE_TOO_SLOW)
                return

    def _resume(self, epoch: str, seq: int, frames: list[tuple[Encoded, int, str]]) -> None:
        """Go on from where the client is (PROTOCOL.md "Resuming"): `resumed`, then what was
        sent after it, then what came while joining, each frame once."""
        resumed = {"type": "resumed", "event_id": self.event_id, "epoch": epoch, "seq": seq}
        self._put(encoded_text(orjson.dumps(resumed).decode()))
        for frame, frame_seq, _ in frames:
            self._put(frame)
            seq = max(seq, frame_seq)
        self._snapshot_seq = (epoch, seq)
        pending, self._pending = self._pending, None
        for frame, frame_seq, frame_epoch in pending:
            if not self.deliver(frame, frame_seq, frame_epoch):
                hub().drop(self, CLOSE_TOO_SLOW)
                return

    def _put(self, frame: Encoded) -> bool:
        if self.outbox.put(frame):
            return True
        hub().drop(self, CLOSE_TOO_SLOW)
        return False

    # --- called by the hub --------------------------------------------------------------------

    def deliver(self, frame: Encoded, seq: int, epoch: str) -> bool:
        if self._pending is not None:
            self._pending.append((frame, seq, epoch))
            return True
        snapshot_epoch, snapshot_seq = self._snapshot_seq
        if epoch == snapshot_epoch and seq <= snapshot_seq:
            return True  # its last transaction is in the snapshot already
        return self.outbox.put(frame)

    def deliver_presence(self, frame: Encoded) -> None:
        if self._pending is None:
            self._put(frame)

    def stalled(self, now: float) -> bool:
        return self.outbox.stalled(now)

    async def drop(self, code: int) -> None:
        hub().leave(self)
        self.outbox.stop()
        try:
            await self.close(code=code)
        except Exception as exc:  # already gone
            logger.debug("close of a closed socket: %s", exc)
