"""The WebSocket of PROTOCOL.md: one socket watches one event's seat map. It never writes.

Everything the socket sends goes through its outbox (outbox.py), in order: the snapshot, the
`seats` frames relayed after it, presence, and the answers to the client's frames. On an event
whose waiting room is on, the socket waits (`queue` frames only) until it shows a turn. The socket's
rules are its session's (the flood limit, the snapshot ration: watcher_session.py) and its
outbox's (which relayed frames go out, and when: outbox.py); this adapts them to Channels. No
exception leaves the consumer: a watcher gets its snapshot, or a documented close code.
"""

import asyncio
import logging
import time
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from reservations.access_tokens import access_token_account
from reservations.client_address import address_key, is_exempt, scope_client_address
from reservations.roles import may_watch_the_sale
from reservations.waiting_room.rooms_in_memory import rooms
from reservations.waiting_room.turn_tokens import room_refusal, turn_owner

from .frames import PREBUILT_FRAMES, Encoded, encoded
from .hub import hub
from .outbox import Outbox
from .protocol import (
    INVALID,
    MAX_CLIENT_FRAME_BYTES,
    NOT_AUTHENTICATED,
    PONG,
    QUEUE_TURN_EXPIRED,
    QUEUE_TURN_REQUIRED,
    CloseCode,
    resumed_frame,
)
from .queue_frames import tell_places
from .socket_metrics import SNAPSHOTS
from .watcher_session import Answer, WatcherSession

logger = logging.getLogger("realtime.consumers")

INVALID_FRAME = encoded(INVALID)
PONG_FRAME = encoded(PONG)
NOT_AUTHENTICATED_FRAME = encoded(NOT_AUTHENTICATED)
QUEUE_TURN_REQUIRED_FRAME = encoded(QUEUE_TURN_REQUIRED)
TURN_REFUSALS = {
    "queue_turn_required": QUEUE_TURN_REQUIRED_FRAME,
    "queue_turn_expired": encoded(QUEUE_TURN_EXPIRED),
}


def _query(query_string: bytes) -> dict[str, list[str]]:
    """The socket's query (nothing, if it does not read): `?epoch=E&seq=S` (_resume_position),
    `?snapshot=full` (a logged-in socket takes its snapshots as `snapshot` frames, not `state`),
    `?console=1` (the organiser's console, PROTOCOL.md), `?door=1` (a door's scanner)."""
    try:
        return parse_qs(query_string.decode("ascii"), max_num_fields=4)
    except (ValueError, UnicodeDecodeError):
        return {}


def _resume_position(query: dict[str, list[str]]) -> tuple[str, int] | None:
    """`?epoch=E&seq=S` of a client that has the map up to there; anything else: None."""
    try:
        (epoch,), (seq,) = query["epoch"], query["seq"]
        position = (epoch, int(seq))
    except (KeyError, ValueError):
        return None
    return position if 0 < len(epoch) <= 64 and 0 <= position[1] < 2**62 else None


_may_watch_the_sale = database_sync_to_async(may_watch_the_sale)


class ClosingConsumer(AsyncWebsocketConsumer):
    """Closes with PROTOCOL.md's codes under uvicorn and daphne alike."""

    async def close(self, code=None, reason=None):
        # daphne's WebSocket (autobahn) takes a close code only as an int, not an IntEnum: it
        # would close 1011 instead of PROTOCOL.md's code. Of the codes under 3000 it lets an
        # app send only 1000: a socket it refuses 1009 is closed with that (PROTOCOL.md).
        code = None if code is None else int(code)
        try:
            await super().close(code=code, reason=reason)
        except Exception:
            if code is None or code >= 3000:
                raise
            await super().close(code=1000, reason=reason)


class EventSeatsConsumer(ClosingConsumer):
    # No channel of its own on the channel layer: the process's hub relays to it (see hub.py).
    channel_layer_alias = "__none__"
    account: int | None = None  # whose the socket said it is (an `auth` frame), set by the hub
    _presence: Encoded | None = None  # the last `presence` frame it was sent
    waiting = False  # for its turn in the event's waiting room (PROTOCOL.md "Waiting room")

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
        client = scope_client_address(self.scope)
        # The socket cap counts per address_key (an IPv6 client by its /64), load-test hosts
        # (LIMITS_EXEMPT_NETWORKS) not at all.
        self.address = address_key(client)
        capped = settings.WS_MAX_SOCKETS_PER_ADDRESS and not is_exempt(client)
        prebuilt = self.scope.get("extensions", {}).get(PREBUILT_FRAMES)
        self.outbox = Outbox(self.base_send, prebuilt["writer"] if prebuilt else None)
        self.session = WatcherSession(time.monotonic(), MAX_CLIENT_FRAME_BYTES)
        self._snapshot_due: asyncio.TimerHandle | None = None
        self._identity_ends: asyncio.TimerHandle | None = None  # when its access token expires
        self.family: str | None = None  # the login its token is of (hub.family_revoked)
        query = _query(self.scope.get("query_string", b""))
        self._resume_from = _resume_position(query)
        self._asks_full = query.get("snapshot") == ["full"]
        self._console = query.get("console") == ["1"]
        self._door = query.get("door") == ["1"]  # a door's scanner (PROTOCOL.md)
        self._counted = False
        await self.accept()
        if capped and hub().addresses[self.address] >= settings.WS_MAX_SOCKETS_PER_ADDRESS:
            await self.close(code=CloseCode.TOO_MANY)
            return
        hub().addresses[self.address] += 1
        self._counted = True
        try:
            if not await hub().event_known(self.event_id):
                await self.close(code=CloseCode.UNKNOWN_EVENT)
                return
            if await rooms.room_of_async(self.event_id) is not None:
                # PROTOCOL.md "Waiting room": queue frames until the socket shows a turn.
                self.waiting = True
                await hub().wait(self)
                self._put(await hub().queue_states.frame(self.event_id))
                return
            await hub().join(self)
        except Exception as exc:  # the database or the channel layer is down or slow
            logger.warning("watcher refused, backend unavailable: %s", exc)
            await self.close(code=CloseCode.LAYER_DOWN)
            return
        await self._watch()

    async def _watch(self) -> None:
        """Joined: the snapshot (or resumed frames), then the count as it stands."""
        position = self._resume_from
        frames = hub().resume(self.event_id, *position) if position else None
        if frames is None:
            await self._send_snapshot()
        else:
            self._resume(*position, frames)
        # The count as it stands: the next `presence` comes only when it changes.
        if (presence := hub().presence_frames.get(self.event_id)) is not None:
            self.deliver_presence(presence)

    async def disconnect(self, code):
        if getattr(self, "outbox", None) is None:
            return
        hub().leave(self)
        self.outbox.stop()
        if self._snapshot_due is not None:
            self._snapshot_due.cancel()
        if self._identity_ends is not None:
            self._identity_ends.cancel()
        if self._counted:
            self._counted = False
            addresses = hub().addresses
            addresses[self.address] -= 1
            if addresses[self.address] <= 0:
                del addresses[self.address]

    async def receive(self, text_data=None, bytes_data=None):
        frame = text_data if text_data is not None else bytes_data
        answer = self.session.frame_in(frame, time.monotonic())
        if answer is Answer.CLOSE_TOO_MANY:
            await self.drop(CloseCode.TOO_MANY)
        elif answer is Answer.CLOSE_TOO_BIG:
            await self.drop(CloseCode.TOO_BIG)
        elif answer is Answer.PONG:
            self._put(PONG_FRAME)
        elif answer is Answer.SNAPSHOT and self.waiting:
            self._put(QUEUE_TURN_REQUIRED_FRAME)
        elif answer is Answer.SNAPSHOT:
            self._snapshot_requested()
        elif answer is Answer.AUTH:
            self._identify(self.session.offered_token)
        elif answer is Answer.TURN:
            await self._turn_shown(self.session.offered_token)
        else:
            self._put(INVALID_FRAME)

    def _identify(self, token: str | None) -> None:
        """PROTOCOL.md "Your own seats": a good token makes the socket its account's until the
        token expires; a bad one is answered `not_authenticated` and leaves it anonymous."""
        named = access_token_account(token) if token is not None else None
        account = None if named is None else named.account
        if token is not None and account is None:
            self._put(NOT_AUTHENTICATED_FRAME)
        if self._identity_ends is not None:
            self._identity_ends.cancel()
            self._identity_ends = None
        self.family = None if named is None else named.family
        if named is not None:
            delay = max(0.0, named.expires_at - time.time())
            self._identity_ends = asyncio.get_running_loop().call_later(delay, self.identity_ended)
        if self.waiting:  # no seats to tell yet: its place, or the console's seats
            self.account = account
            if account is not None:
                asyncio.ensure_future(self._staff_or_place(account))
            return
        hub().identify(self, account)
        if (self._console or self._door) and account is not None:
            asyncio.ensure_future(self._as_console(account))

    def identity_ended(self) -> None:
        """The socket's token has expired, or its login was revoked (hub.family_revoked): it
        watches anonymously, and is told so, until it sends a fresh one (the shipped client
        does at once after an expiry; after a logout it has none)."""
        self._identify(None)
        self._put(NOT_AUTHENTICATED_FRAME)

    async def _as_console(self, account: int) -> None:
        """A console's socket whose account may watch the sale gets each transaction's frame at
        once (hub.watch_as_console): the organiser's counts follow a click, however many buyers
        watch. Only a socket that says it is a console asks the database, once. A door's
        scanner whose account may scan follows the door (`door` frames)."""
        console = self._console and await _may_watch_the_sale(account, self.event_id)
        door = self._door and await _may_watch_the_sale(account, self.event_id, "scan_tickets")
        if self.waiting or self.account != account:  # its account changed while it asked
            return
        if console:
            hub().watch_as_console(self)
        elif door:
            hub().watch_the_door(self)

    async def _staff_or_place(self, account: int) -> None:
        """A waiting socket of staff who may watch the sale (the organiser's console), or a
        door's scanner whose account may scan, watches the seats at once (and the door, as
        `_as_console`), and the room's `queue` frames as every watcher does; anyone else is
        told their place."""
        console = await _may_watch_the_sale(account, self.event_id)
        door = self._door and await _may_watch_the_sale(account, self.event_id, "scan_tickets")
        if self.account != account:  # its account changed while it asked
            return
        if console or door:
            await self._admitted(account)
            if self.account != account:  # its account changed while it was admitted
                return
            if self._console and console:
                hub().watch_as_console(self)
            elif door:
                hub().watch_the_door(self)
        else:
            await tell_places(self.event_id, [self])  # its place, if it has one

    async def _turn_shown(self, token: str) -> None:
        """PROTOCOL.md "Waiting room": a good turn token ends the wait (the snapshot follows);
        a bad one is answered and the socket goes on waiting."""
        if not self.waiting:
            return
        room = await rooms.room_of_async(self.event_id)
        # A turn token proves a turn, not who the socket is: an anonymous socket that shows
        # one is admitted and stays anonymous (its own seats need `auth`).
        holder = self.account if self.account is not None else turn_owner(token)
        refusal = room_refusal(room, token, user_id=holder or 0, event_id=self.event_id)
        if refusal is not None:
            self._put(TURN_REFUSALS[refusal.code])
            return
        await self._admitted(self.account)

    async def _admitted(self, account: int | None) -> None:
        """The wait is over (a turn, or the console): the snapshot follows."""
        if not self.waiting:
            return
        self.waiting = False
        hub().stop_waiting(self)
        try:
            await hub().join(self)
        except Exception as exc:
            logger.warning("admitted watcher refused, backend unavailable: %s", exc)
            await self.drop(CloseCode.LAYER_DOWN)
            return
        await self._watch()
        if account is not None and self.account == account:  # unchanged while it joined
            hub().identify(self, account)

    @property
    def _takes_full_snapshots(self) -> bool:
        """PROTOCOL.md "Two forms of snapshot": `snapshot` frames go to a socket that asked for
        them and says whose it is (`auth`); any other gets `state` frames, so an anonymous
        handshake of a few hundred bytes brings no more than the compact form."""
        return self._asks_full and self.account is not None

    def _snapshot_requested(self) -> None:
        """Answer at once if the socket's ration allows, else once, at the window's end."""
        wait = self.session.snapshot_wait(time.monotonic(), self.outbox.holding)
        if wait == 0:
            asyncio.ensure_future(self._send_snapshot())
        elif wait is not None:
            self._snapshot_due = asyncio.get_running_loop().call_later(wait, self._snapshot_window)

    def _snapshot_window(self) -> None:
        self._snapshot_due = None
        asyncio.ensure_future(self._send_snapshot())

    async def _send_snapshot(self) -> None:
        self.session.snapshot_reading(time.monotonic())
        self.outbox.hold()
        try:
            epoch, seq, snapshot = await hub().snapshot(
                self.event_id, not self._takes_full_snapshots
            )
        except Exception as exc:  # Redis or the database went away mid-read
            logger.warning("snapshot of event %s failed: %s", self.event_id, exc)
            await self.drop(CloseCode.LAYER_DOWN)
            return
        pending = self.outbox.snapshot_sent(epoch, seq)
        self._put(snapshot)
        SNAPSHOTS.delivered(1)
        self._deliver_all(pending)
        count = hub().presence_frames.get(self.event_id)
        if self._presence is not None and count not in (None, self._presence):  # held meanwhile
            self.deliver_presence(count)

    def _resume(self, epoch: str, seq: int, frames: list[tuple[Encoded, int, str]]) -> None:
        """Go on from where the client is (PROTOCOL.md "Resuming"): `resumed`, then what was
        sent after it, then what came while joining, each frame once."""
        resumed = resumed_frame(event_id=self.event_id, epoch=epoch, seq=seq)
        self._put(encoded(resumed))
        sent_since, pending = self.outbox.resumed(epoch, seq, frames)
        for frame in sent_since:
            self._put(frame)
        self._deliver_all(pending)

    def _deliver_all(self, pending: list[tuple[Encoded, int, str]]) -> None:
        for frame, seq, epoch in pending:
            if not self.deliver(frame, seq, epoch):
                hub().drop(self, CloseCode.TOO_SLOW)
                return

    def _put(self, frame: Encoded) -> bool:
        if self.outbox.put(frame):
            return True
        hub().drop(self, CloseCode.TOO_SLOW)
        return False

    # --- called by the hub --------------------------------------------------------------------

    def deliver(self, frame: Encoded, seq: int, epoch: str) -> bool:
        """Whether the socket keeps up: a frame it takes, holds or needs not is True."""
        return self.outbox.relay(frame, seq, epoch)

    deliver_own = deliver_queue = deliver_door = _put

    def deliver_presence(self, frame: Encoded) -> None:
        if not self.outbox.holding:  # held: the count is told after the snapshot
            self._presence = frame
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
