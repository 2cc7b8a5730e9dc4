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
* `Snapshots` (snapshots.py): one snapshot per event per second, shared;
* `Presence` (presence.py): the watcher count over every process;
* each socket's `Outbox` (outbox.py), which takes a frame without the hub ever waiting on a
  socket; a socket whose write has stalled is closed with 4408.
"""

import asyncio
import logging
import os
import secrets
import time
from collections import Counter
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings

from .known_events import KnownEvents
from .outbox import CLOSE_TOO_SLOW
from .presence import PRESENCE_INTERVAL, Presence
from .redis_clients import async_redis
from .relay import Relay
from .snapshots import Snapshot, Snapshots

logger = logging.getLogger("realtime.hub")

# How often sockets are checked for a write that has stopped moving.
STALL_CHECK_INTERVAL = 1.0
# Close code for "the live feed broke, reconnect and take a snapshot". (1012 "service restart"
# would say it, but ASGI servers accept only 1000 and 3000-4999 from applications.)
CLOSE_LAYER_DOWN = 4503


class Watcher(Protocol):
    event_id: int

    def deliver(self, text: str, seq: int, epoch: str) -> bool:
        """Hand over a `seats` frame; False if the socket is too far behind to take it."""

    def deliver_presence(self, text: str) -> None: ...

    def stalled(self, now: float) -> bool: ...

    async def drop(self, code: int) -> None: ...


class EventHub:
    def __init__(self):
        self.process_id = f"{os.uname().nodename}:{os.getpid()}:{secrets.token_hex(3)}"
        self.watchers: dict[int, set[Watcher]] = {}
        self.addresses: Counter[str] = Counter()  # open sockets per client address
        self._redis = async_redis() if settings.REDIS_URL else None
        self._relay: Relay | None = None
        self._known = KnownEvents()
        self._snapshots = Snapshots(self._redis)
        self._presence = Presence(self._redis, self.process_id)
        self._tasks: list[asyncio.Task] = []
        self._dropping: set[asyncio.Task] = set()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # A receive blocked in the channel layer may take a moment to unwind; never hang.
            await asyncio.wait(self._tasks, timeout=3)
        self._tasks = []
        if self._redis is not None:
            await self._redis.aclose()

    def _start(self) -> Relay:
        if self._relay is None or not self._tasks:
            self._relay = Relay(self, self._redis)
            self._tasks = [
                asyncio.ensure_future(self._relay.run()),
                asyncio.ensure_future(self._relay.refresh_groups_forever()),
                asyncio.ensure_future(self._presence_forever()),
                asyncio.ensure_future(self._close_stalled_forever()),
            ]
        return self._relay

    # --- membership -------------------------------------------------------------------------

    async def join(self, watcher: Watcher) -> None:
        """Subscribe a socket: after this returns, it gets every message published later."""
        relay = self._start()
        await asyncio.wait_for(relay.ready.wait(), timeout=5)
        self.watchers.setdefault(watcher.event_id, set()).add(watcher)
        try:
            await relay.join(watcher.event_id)
        except Exception:
            self.leave(watcher)
            raise

    def leave(self, watcher: Watcher) -> None:
        watchers = self.watchers.get(watcher.event_id)
        if watchers is not None:
            watchers.discard(watcher)

    def drop(self, watcher: Watcher, code: int) -> None:
        """Close a socket without waiting for it (the caller may be the relay itself)."""
        self.leave(watcher)
        task = asyncio.ensure_future(watcher.drop(code))
        self._dropping.add(task)
        task.add_done_callback(self._dropping.discard)

    async def event_known(self, event_id: int) -> bool:
        return await self._known.known(event_id)

    async def snapshot(self, event_id: int) -> Snapshot:
        return await self._snapshots.get(event_id)

    # --- what the relay tells the hub (relay.Listener) -----------------------------------------

    def watched_events(self) -> Iterable[int]:
        return self.watchers.keys()

    def heard(self, event_id: int) -> None:
        self._snapshots.forget(event_id)

    def deliver(self, event_id: int, text: str, seq: int, epoch: str) -> None:
        # Never awaits a socket: each takes the frame into its outbox (outbox.py).
        for watcher in list(self.watchers.get(event_id, ())):
            if not watcher.deliver(text, seq, epoch):
                self.drop(watcher, CLOSE_TOO_SLOW)

    def layer_failed(self) -> None:
        self._snapshots.forget()
        for watcher in [w for group in self.watchers.values() for w in group]:
            self.drop(watcher, CLOSE_LAYER_DOWN)
        self.watchers.clear()

    # --- the hub's own two loops ----------------------------------------------------------------

    async def _close_stalled_forever(self) -> None:
        while True:
            await asyncio.sleep(STALL_CHECK_INTERVAL)
            now = time.monotonic()
            for group in list(self.watchers.values()):
                for watcher in [w for w in group if w.stalled(now)]:
                    logger.info("closing a stalled socket of event %s", watcher.event_id)
                    self.drop(watcher, CLOSE_TOO_SLOW)

    async def _presence_forever(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_INTERVAL)
            for event_id in list(self.watchers):
                try:
                    await self._presence_tick(event_id)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    logger.info("presence of event %s not updated: %s", event_id, exc)

    async def _presence_tick(self, event_id: int) -> None:
        local = len(self.watchers.get(event_id, ()))
        text = await self._presence.message(event_id, local)
        if not local:
            self.watchers.pop(event_id, None)
        elif text is not None:
            for watcher in list(self.watchers.get(event_id, ())):
                watcher.deliver_presence(text)


_hubs: dict[int, EventHub] = {}


def hub() -> EventHub:
    """The process's hub, one per event loop (tests run several loops in one process)."""
    loop = asyncio.get_running_loop()
    key = id(loop)
    current = _hubs.get(key)
    if current is None or current._loop is not loop:
        current = _hubs[key] = EventHub()
        current._loop = loop
    return current
