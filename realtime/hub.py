"""One hub per server process between the channel layer and that process's sockets.

The tutorial design gives every socket its own channel-layer channel and group membership: a
connect storm then makes thousands of Redis calls at once (and runs out of connections), and
every change is queued, hopped and JSON-encoded once per socket. Here the process joins each
event's group once, with one channel of its own, and relays the message text (encoded once, by
the publisher) to its local sockets of that event. Redis work per change is one delivery per
process, whatever the number of watchers.

The hub itself knows which sockets watch which event on this process, and composes parts with
one job each:

* `Relay` (relay.py): the layer's messages in, in `seq` order, with backoff and a liveness
  check; when the layer fails the hub closes its sockets (4503): their clients reconnect and
  take a fresh snapshot, so nobody is left silently stale;
* `KnownEvents` (known_events.py): whether an event exists, asked once a minute;
* `LiveMap` (live_map.py): the event's seat states in memory, kept by the relayed frames;
  snapshots are read from it (one per event and `seq`, shared), not from the database;
* `EventFeed` (feed.py): the event's frames merged over `WS_COALESCE_SECONDS`, encoded once,
  and written to its sockets in slices that let a click run between them;
* `Consoles` (consoles.py): the organisers' consoles, each transaction's frame at once;
* `Doors` (doors.py): the consoles and the door's scanners, each check-in's counts and each
  revoked ticket (`door` frames);
* `Presence` (presence.py): the watcher count over every process, sent every second;
* `OwnSeats` (own_seats.py): the sockets that said whose they are, told their account's own
  seats (an `own` frame) from the live map when they say it and whenever a committed change
  concerns them;
* each socket's `Outbox` (outbox.py), which takes a frame without the hub ever waiting on a
  socket; a socket whose write has stalled is closed with 4408;
* the waiting room (PROTOCOL.md "Waiting room"): the sockets that wait for their turn get the
  room's `queue` frames, never seats; its frames and places: `QueueStates` (queue_frames.py);
* `IdleEvents` (idle_events.py): all of an event's parts, its group included, go
  `LIVE_EVENT_IDLE_SECONDS` after its last socket here left or its last read;
* its own loops, one task each while it runs: the presence count every second (with the live
  maps' re-read check on the same beat), the sockets whose write has stalled, the idle events.

Its sockets of each event, watching or waiting, are the metrics' `seatmap_sockets_open`
(socket_metrics.py), set from these sets whenever they change.
"""

import asyncio
import logging
import os
import secrets
import time
from collections import Counter
from collections.abc import Iterable
from typing import Protocol

from channels.db import database_sync_to_async
from django.conf import settings

from reservations.metrics import live_events, live_map_seat_rows
from reservations.selectors import live_seats_get

from .cancellation import raise_if_cancelled
from .consoles import Consoles
from .doors import Doors
from .feed import EventFeed, coalescing_window
from .frames import Encoded, encoded_text
from .idle_events import SWEEP_SECONDS, IdleEvents, give_back_memory
from .known_events import KnownEvents
from .live_map import LiveMap
from .own_seats import OwnSeats
from .presence import PRESENCE_INTERVAL, Presence
from .protocol import CloseCode, seat_change
from .queue_frames import QueueStates, deliver_in_slices, tell_places
from .redis_clients import async_client
from .relay import Relay
from .sequence import counters
from .socket_metrics import PRESENCE, sockets_gone, sockets_now

logger = logging.getLogger("realtime.hub")

# How often sockets are checked for a write that has stopped moving.
STALL_CHECK_INTERVAL = 1.0


class Watcher(Protocol):
    event_id: int
    account: int | None  # whose the socket said it is (own_seats.py); None: anonymous
    family: str | None  # the login its token came from, while it has an account

    def deliver(self, frame: Encoded, seq: int, epoch: str) -> bool:
        """Hand over a `seats` frame; False if the socket is too far behind to take it."""

    def deliver_presence(self, frame: Encoded) -> None: ...

    def deliver_own(self, frame: Encoded) -> None:
        """Hand over an `own` frame (the socket's account's seats)."""

    def deliver_queue(self, frame: Encoded) -> None:
        """Hand over a `queue` or `place` frame (the waiting room)."""

    def deliver_door(self, frame: Encoded) -> None:
        """Hand over a `door` frame (the door's counts and revoked tickets)."""

    def stalled(self, now: float) -> bool: ...

    def identity_ended(self) -> None:
        """Its token expired or its login was revoked: anonymous from now on, and told."""

    async def drop(self, code: int) -> None: ...


class EventHub:
    def __init__(self):
        self.process_id = f"{os.uname().nodename}:{os.getpid()}:{secrets.token_hex(3)}"
        self.watchers: dict[int, set[Watcher]] = {}
        self.addresses: Counter[str] = Counter()  # open sockets per client address
        self._redis = async_client()  # None without Redis
        self._relay: Relay | None = None
        self._known = KnownEvents()
        self._counters = counters(self._redis)
        self.maps: dict[int, LiveMap] = {}
        self.feeds: dict[int, EventFeed] = {}
        self.consoles = Consoles(self._too_slow)
        self.doors = Doors()
        self.own: dict[int, OwnSeats[Watcher]] = {}  # per event
        # The last `presence` frame of each event, for a socket that joins while the count
        # stays the same (a second tab of one account: PROTOCOL.md counts people).
        self.presence_frames: dict[int, Encoded] = {}
        # The sockets of events with a waiting room that wait for their turn (PROTOCOL.md
        # "Waiting room"), and each such event's last `queue` state and frame.
        self.waiting: dict[int, set[Watcher]] = {}
        self.queue_states = QueueStates()
        self.presence = Presence(self._redis, self.process_id)
        self._idle = IdleEvents()
        self._tasks: list[asyncio.Task] = []
        self._background_tasks: set[asyncio.Task] = set()

    async def close(self) -> None:
        if _hubs.get(id(self._loop)) is self:
            del _hubs[id(self._loop)]
        for feed in self.feeds.values():
            feed.close()
        self.consoles.close()
        self.doors.close()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # A receive blocked in the channel layer may take a moment to unwind; never hang.
            await asyncio.wait(self._tasks, timeout=3)
        self._tasks = []
        if self._redis is not None:
            await self._redis.aclose()

    async def _started(self) -> Relay:
        """The relay, started with the hub's loops if need be, once it listens."""
        if self._relay is None or not self._tasks:
            self._relay = Relay(self, self._redis)
            self._tasks = [
                asyncio.ensure_future(self._relay.run()),
                asyncio.ensure_future(self._relay.refresh_groups_forever()),
                asyncio.ensure_future(self._presence_forever()),
                asyncio.ensure_future(self._close_stalled_forever()),
                asyncio.ensure_future(self._forget_idle_forever()),
            ]
        await asyncio.wait_for(self._relay.ready.wait(), timeout=5)
        return self._relay

    # --- membership -------------------------------------------------------------------------

    async def join(self, watcher: Watcher) -> None:
        """Subscribe a socket: after this returns, it gets every message published later."""
        await self._subscribe(watcher, self.watchers, self.leave)

    async def _subscribe(self, watcher: Watcher, sockets: dict, undo) -> None:
        relay = await self._started()
        sockets.setdefault(watcher.event_id, set()).add(watcher)
        self._count(watcher.event_id)
        try:
            await relay.join(watcher.event_id)
        except Exception:
            undo(watcher)
            raise

    def watch_as_console(self, watcher: Watcher) -> None:
        """This joined socket is an organiser's console (consoles.py), which follows the door
        too."""
        if watcher in self.watchers.get(watcher.event_id, ()):
            self.consoles.watch(watcher)
            self.doors.watch(watcher)

    def watch_the_door(self, watcher: Watcher) -> None:
        """This joined socket is a door's scanner (doors.py)."""
        if watcher in self.watchers.get(watcher.event_id, ()):
            self.doors.watch(watcher)

    def door_changed(self, event_id: int, gates: dict, revoked: list[int]) -> None:
        self.doors.changed(event_id, gates, revoked)

    def leave(self, watcher: Watcher) -> None:
        watchers = self.watchers.get(watcher.event_id)
        if watchers is not None:
            watchers.discard(watcher)
            self._count(watcher.event_id)
        self.stop_waiting(watcher)
        self.identify(watcher, None)

    # --- the waiting room -------------------------------------------------------------------

    async def wait(self, watcher: Watcher) -> None:
        """A socket that waits for its turn: it gets the event's `queue` frames, no seats."""
        await self._subscribe(watcher, self.waiting, self.stop_waiting)

    def stop_waiting(self, watcher: Watcher) -> None:
        waiting = self.waiting.get(watcher.event_id)
        if waiting is not None:
            waiting.discard(watcher)
            if not waiting:
                del self.waiting[watcher.event_id]
            self._count(watcher.event_id)

    def _count(self, event_id: int) -> None:
        watching, waiting = self.watchers.get(event_id, ()), self.waiting.get(event_id, ())
        sockets_now(event_id, watching=len(watching), waiting=len(waiting))

    def queue_changed(self, event_id: int, state: dict) -> None:
        """A new state of the event's waiting room: to every socket of the event here, waiting
        or not, the frame encoded once; on the draw, each waiting account its number."""
        frame, drawn_now = self.queue_states.keep(event_id, state)
        sockets = [*self.waiting.get(event_id, ()), *self.watchers.get(event_id, ())]
        self.in_background(deliver_in_slices(sockets, frame))
        if drawn_now:
            self.in_background(tell_places(event_id, self.waiting.get(event_id, ())))

    def in_background(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    def identify(self, watcher: Watcher, account: int | None) -> None:
        """The socket's account from now on (None: anonymous); an account is told its seats.
        A console stops being one (the consumer asks again for a new account)."""
        self.consoles.stop(watcher)
        self.doors.stop(watcher)
        own = self.own.get(watcher.event_id)
        previous = getattr(watcher, "account", None)
        if own is not None and previous is not None:
            own.remove(previous, watcher)
            if not own.sockets:
                del self.own[watcher.event_id]
        watcher.account = account
        if account is not None:
            self.own.setdefault(watcher.event_id, OwnSeats()).add(account, watcher)
            self._tell_own(watcher.event_id, {account}, only=watcher)

    def _tell_own(self, event_id: int, accounts: set[int], only: Watcher | None = None) -> None:
        """Send each account's `own` frame to its sockets here (or to `only`), from the live map
        as soon as it can be trusted (PROTOCOL.md "Your own seats")."""
        live = self.maps.get(event_id)
        if live is not None and live.trusted and not live.reading:
            self._tell_now(live, accounts, only)
        else:
            self.in_background(self._tell_when_read(event_id, accounts, only))

    async def _tell_when_read(self, event_id: int, accounts: set[int], only) -> None:
        try:
            live = await self.live_map(event_id).current()
        except Exception as exc:  # the database went away: the socket's own reload says
            logger.info("own seats of event %s not told: %s", event_id, exc)
            return
        self._tell_now(live, accounts, only)

    def _tell_now(self, live: LiveMap, accounts: set[int], only) -> None:
        own = self.own.get(live.event_id)  # (its sockets may have left while the map was read)
        if own is not None:
            own.tell(live, accounts, only)

    def drop(self, watcher: Watcher, code: int) -> None:
        """Close a socket without waiting for it (the caller may be the relay itself)."""
        self.leave(watcher)
        self.in_background(watcher.drop(code))

    async def event_known(self, event_id: int) -> bool:
        return await self._known.known(event_id)

    async def snapshot(self, event_id: int, compact: bool = False) -> tuple[str, int, Encoded]:
        """The event's `snapshot` frame (`compact`: its `state` frame) as `(epoch, seq,
        frame)`, from its live map: it holds every frame this process has sent its sockets of
        the event (PROTOCOL.md)."""
        feed = self.feeds.get(event_id)
        live = self.live_map(event_id)
        sent = feed.sent_seq if feed else None
        return await live.snapshot(sent, compact)

    def resume(self, event_id: int, epoch: str, seq: int) -> list | None:
        """The frames a joined socket that has the event up to `(epoch, seq)` still needs
        (PROTOCOL.md "Resuming"), or None: it needs a snapshot."""
        live = self.maps.get(event_id)
        if live is None or not live.trusted or live.epoch != epoch:
            return None
        feed = self.feeds.get(event_id)
        frames = feed.since(epoch, seq) if feed is not None else None
        if frames is None and seq >= live.seq:
            return []  # nothing sent here since: what comes next reaches the socket anyway
        return frames

    async def followed_map(self, event_id: int) -> LiveMap:
        """The event's live map, read and kept current (this process joins the event's group
        for it, as for a socket): for readers that are not sockets (hub_live_maps.py)."""
        self._idle.used(event_id, time.monotonic())
        relay = await self._started()
        live = self.live_map(event_id)
        await relay.join(event_id)
        return await live.current()

    def live_map(self, event_id: int) -> LiveMap:
        current = self.maps.get(event_id)
        if current is None:
            current = self.maps[event_id] = LiveMap(event_id, self._read_live_map)
            current.max_age = settings.WS_COALESCE_SECONDS
        return current

    def committed_here(self, event_id: int, changes: list[dict], owners: list) -> None:
        """This process committed these changes: its map shows them before their frame comes
        back (live_map.py `apply_committed`)."""
        live = self.maps.get(event_id)
        if live is not None:
            live.apply_committed(changes, owners)

    async def _read_live_map(self, event_id: int):
        epoch, seq = await self._counters.current(event_id)  # before the seats: see live_map.py
        map_version, rows = await database_sync_to_async(live_seats_get)(event_id=event_id)
        live_map_seat_rows.inc(len(rows))
        seats = [(seat_change(*row[:4]), row[4], row[5], row[6]) for row in rows]
        return epoch, seq, seats, map_version

    def _feed(self, event_id: int) -> EventFeed:
        feed = self.feeds.get(event_id)
        if feed is None:
            feed = self.feeds[event_id] = EventFeed(
                event_id,
                lambda: self.watchers.get(event_id, ()),
                self._too_slow,
                lambda: coalescing_window(len(self.watchers.get(event_id, ()))),
            )
        return feed

    def _too_slow(self, watcher: Watcher) -> None:
        # Its outbox is full (outbox.py): the hub never waits on a socket.
        self.drop(watcher, CloseCode.TOO_SLOW)

    # --- what the relay tells the hub (relay.Listener) -----------------------------------------

    def watched_events(self) -> Iterable[int]:
        return self.watchers.keys() | self.maps.keys() | self.waiting.keys()

    def committed(self, event_id: int, frame: tuple, seq: int, epoch: str) -> None:
        ts, changes, owners = frame
        live = self.maps.get(event_id)
        if live is not None:
            live.apply(epoch, seq, changes, owners)
        self._feed(event_id).add(seq, epoch, ts, changes)
        self.consoles.committed(event_id, seq, epoch, ts, changes)
        own = self.own.get(event_id)
        if own is not None:
            concerned = own.concerned((change["id"] for change in changes), owners)
            if concerned:
                self._tell_own(event_id, concerned)

    def family_revoked(self, family: str) -> None:
        """A login was revoked (a logout, a replayed token): the sockets here that said they
        were that login's are anonymous from now on (PROTOCOL.md "Your own seats")."""
        groups = [*self.watchers.values(), *self.waiting.values()]
        for watcher in [w for group in groups for w in group if w.family == family]:
            watcher.identity_ended()

    def layer_failed(self) -> None:
        for live in self.maps.values():
            live.forget()
        for feed in self.feeds.values():
            feed.close()
        self.feeds.clear()
        self.consoles.close()
        self.doors.close()
        self.queue_states.forget()
        groups = [*self.watchers.values(), *self.waiting.values()]
        for watcher in [w for group in groups for w in group]:
            self.drop(watcher, CloseCode.LAYER_DOWN)
        counted = self.watchers.keys() | self.waiting.keys()
        self.watchers.clear()
        self.waiting.clear()
        for event_id in counted:
            self._count(event_id)

    # --- its own loops ---------------------------------------------------------------------------

    async def _presence_forever(self) -> None:
        while True:
            raise_if_cancelled()
            await asyncio.sleep(PRESENCE_INTERVAL)
            self._refresh_maps()  # (a loop variable here would keep the last map after it went)
            for event_id in list(self.watchers):
                try:
                    await self._presence_tick(event_id)
                except Exception as exc:
                    raise_if_cancelled(exc)
                    logger.info("presence of event %s not updated: %s", event_id, exc)

    def _refresh_maps(self) -> None:
        for live in self.maps.values():
            live.refresh()

    async def _presence_tick(self, event_id: int) -> None:
        local = len(self.watchers.get(event_id, ()))
        own = self.own.get(event_id)
        if own is not None:
            local = own.people(local)
        text = await self.presence.message(event_id, local)
        if not local and not self.watchers.get(event_id):  # none joined while Redis answered
            self.watchers.pop(event_id, None)
            self.presence_frames.pop(event_id, None)
        elif text is not None:
            frame = self.presence_frames[event_id] = encoded_text(text)
            sockets = list(self.watchers.get(event_id, ()))
            PRESENCE.sent(len(sockets))
            for watcher in sockets:
                watcher.deliver_presence(frame)

    async def _close_stalled_forever(self) -> None:
        while True:
            await asyncio.sleep(STALL_CHECK_INTERVAL)
            now = time.monotonic()
            for group in [*self.watchers.values(), *self.waiting.values()]:
                for watcher in [w for w in group if w.stalled(now)]:
                    logger.info("closing a stalled socket of event %s", watcher.event_id)
                    self.drop(watcher, CloseCode.TOO_SLOW)

    async def _forget_idle_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            self.forget_idle(time.monotonic())
            live_events.set(len(self.kept_events()))

    # --- letting go of idle events ------------------------------------------------------------

    def forget_idle(self, now: float) -> list[int]:
        """Let go of the events no socket here has used, and nobody read, for
        LIVE_EVENT_IDLE_SECONDS (idle_events.py); the events let go of."""
        idle = self._idle.idle(
            self.kept_events(),
            self.watchers.keys() | self.waiting.keys(),
            now,
            settings.LIVE_EVENT_IDLE_SECONDS,
        )
        for event_id in idle:
            self.maps.pop(event_id, None)
            if (feed := self.feeds.pop(event_id, None)) is not None:
                feed.close()
            self.own.pop(event_id, None)
            self.presence_frames.pop(event_id, None)
            self.queue_states.drop(event_id)
            sockets_gone(event_id)
            if self._relay is not None:
                self._relay.leave(event_id)  # a join after this subscribes again
        if idle:
            give_back_memory()
        return idle

    def kept_events(self) -> set[int]:
        """The events this process keeps anything of (a map, a feed, a group, ...)."""
        held = [self.maps, self.feeds, self.own, self.presence_frames, self.queue_states.events()]
        if self._relay is not None:
            held.append(self._relay.groups())
        return {event_id for events in held for event_id in events}


_hubs: dict[int, EventHub] = {}


def hub_if_running() -> EventHub | None:
    """The running loop's hub if it has one (the publisher tells it of local commits)."""
    try:
        return _hubs.get(id(asyncio.get_running_loop()))
    except RuntimeError:
        return None


def running_hubs() -> list[EventHub]:
    """Every loop's hub in this process (one in a server; tests run several loops)."""
    return list(_hubs.values())


def hub() -> EventHub:
    """The process's hub, one per event loop (tests run several loops in one process)."""
    loop = asyncio.get_running_loop()
    key = id(loop)
    current = _hubs.get(key)
    if current is None or current._loop is not loop:
        current = _hubs[key] = EventHub()
        current._loop = loop
    return current
