"""One hub per server process between the channel layer and that process's sockets.

The tutorial design gives every socket its own channel-layer channel and group membership: a
connect storm then makes thousands of Redis calls at once (and runs out of connections), and
every change is queued, hopped and JSON-encoded once per socket. Here the process joins each
event's group once, with one channel of its own, and relays the message text (encoded once, by
the publisher) to its local sockets of that event. Redis work per change is one delivery per
process, whatever the number of watchers.

The hub composes parts with one job each: the relay below (layer -> sockets, with backoff and a
liveness check), `SeqReorder` (reorder.py), `Snapshots` (snapshots.py), `Presence`
(presence.py), and each socket's `Outbox` (outbox.py), which is how the relay hands a frame to
a socket without ever waiting for it. Sockets that stopped reading are closed with 4408.

If the channel layer fails, the relay closes its sockets (code 4503): their clients reconnect
and take a fresh snapshot, so nobody is left silently stale. It then rejoins with backoff, and
pushes resume by themselves once Redis is back.
"""

import asyncio
import logging
import os
import secrets
import time
from collections import Counter
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from reservations.selectors import event_exists

from .broadcast import event_group
from .outbox import CLOSE_TOO_SLOW
from .presence import PRESENCE_INTERVAL, Presence
from .redis_clients import async_redis
from .reorder import REORDER_WAIT_SECONDS, SeqReorder
from .snapshots import Snapshot, Snapshots

logger = logging.getLogger("realtime.hub")

# Group memberships are re-added this often: they expire on the layer after a day, and a Redis
# that lost its data without dropping connections (a FLUSHALL, a failover) forgets them.
GROUP_REFRESH_SECONDS = 30
# How often the relay asks Redis whether it is there (see _redis_alive).
LIVENESS_INTERVAL = 1.0
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


async def _first_failure(*coroutines) -> None:
    """Run the coroutines until the first one raises; cancel the others and raise that."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class EventHub:
    def __init__(self):
        self.process_id = f"{os.uname().nodename}:{os.getpid()}:{secrets.token_hex(3)}"
        self.watchers: dict[int, set[Watcher]] = {}
        self.addresses: Counter[str] = Counter()  # open sockets per client address
        self._layer = None
        self._channel: str | None = None
        self._joined: dict[int, asyncio.Future] = {}
        self._ready = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._redis = async_redis() if settings.REDIS_URL else None
        self._snapshots = Snapshots(self._redis)
        self._presence = Presence(self._redis, self.process_id)
        self._events: dict[int, asyncio.Future] = {}
        self._events_at: dict[int, float] = {}
        self._reorders: dict[int, SeqReorder] = {}
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

    # --- membership -------------------------------------------------------------------------

    async def join(self, watcher: Watcher) -> None:
        """Subscribe a socket: after this returns, it gets every message published later."""
        self._start()
        await asyncio.wait_for(self._ready.wait(), timeout=5)
        event_id = watcher.event_id
        self.watchers.setdefault(event_id, set()).add(watcher)
        joined = self._joined.get(event_id)
        if joined is None or (joined.done() and joined.exception() is not None):
            joined = self._joined[event_id] = asyncio.ensure_future(self._group_add(event_id))
        try:
            await asyncio.shield(joined)
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

    async def _group_add(self, event_id: int) -> None:
        await self._layer.group_add(event_group(event_id), self._channel)

    async def event_known(self, event_id: int) -> bool:
        """Whether the event exists, asked of the database once a minute per process, so a
        connect storm of thousands of sockets costs one query, not one each."""
        known = self._events.get(event_id)
        if known is None or (known.done() and time.monotonic() - self._events_at[event_id] > 60):
            known = self._events[event_id] = asyncio.ensure_future(
                database_sync_to_async(event_exists)(event_id=event_id)
            )
            self._events_at[event_id] = time.monotonic()
        try:
            return await asyncio.shield(known)
        except Exception:
            self._events.pop(event_id, None)
            raise

    async def snapshot(self, event_id: int) -> Snapshot:
        return await self._snapshots.get(event_id)

    # --- the relay ----------------------------------------------------------------------------

    def _start(self) -> None:
        if not self._tasks:
            self._layer = get_channel_layer()
            self._tasks = [
                asyncio.ensure_future(self._relay()),
                asyncio.ensure_future(self._presence_forever()),
                asyncio.ensure_future(self._refresh_groups()),
                asyncio.ensure_future(self._close_stalled_forever()),
            ]

    async def _relay(self) -> None:
        backoff = 0.2
        while True:
            started = time.monotonic()
            try:
                self._channel = await self._layer.new_channel(prefix="hub")
                self._joined = {}
                for event_id in list(self.watchers):
                    self._joined[event_id] = asyncio.ensure_future(self._group_add(event_id))
                    await self._joined[event_id]
                self._ready.set()
                await _first_failure(self._receive_forever(), self._redis_alive())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("channel layer failed (%s); closing sockets, rejoining", exc)
                self._ready.clear()
                self._snapshots.forget()
                self._drop_everyone()
                # Back off while the layer keeps failing; start afresh after a healthy spell.
                backoff = 0.2 if time.monotonic() - started > 10 else min(backoff * 2, 5.0)
                await asyncio.sleep(backoff)

    async def _receive_forever(self) -> None:
        while True:
            message = await self._layer.receive(self._channel)
            self._dispatch(message)

    async def _redis_alive(self) -> None:
        """Raise once Redis stops answering: the pub/sub layer reconnects quietly, and messages
        published meanwhile are lost, so sockets must not stay open as if nothing happened."""
        while self._redis is not None:
            await asyncio.sleep(LIVENESS_INTERVAL)
            await self._redis.ping()
        await asyncio.Event().wait()

    async def _refresh_groups(self) -> None:
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            if not self._ready.is_set():  # the relay is rejoining them itself
                continue
            for event_id in list(self.watchers):
                try:
                    await self._group_add(event_id)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the relay notices a broken layer and recovers
                    logger.info("group refresh of event %s failed: %s", event_id, exc)

    def _dispatch(self, message: dict) -> None:
        if message.get("type") != "seats.message":
            return
        event_id, epoch = message["event_id"], message["epoch"]
        self._snapshots.forget(event_id)
        reorder = self._ordered(event_id)
        for seq, text in message["frames"]:  # one per committed transaction, in seq order
            for ordered in reorder.admit(text, seq, epoch):
                self._deliver(event_id, *ordered)

    def _ordered(self, event_id: int) -> SeqReorder:
        reorder = self._reorders.get(event_id)
        if reorder is None:
            reorder = self._reorders[event_id] = SeqReorder(
                lambda: asyncio.get_running_loop().call_later(
                    REORDER_WAIT_SECONDS, self._flush, event_id
                )
            )
        return reorder

    def _flush(self, event_id: int) -> None:
        for text, seq, epoch in self._ordered(event_id).timer_fired():
            self._deliver(event_id, text, seq, epoch)

    def _deliver(self, event_id: int, text: str, seq: int, epoch: str) -> None:
        # Never awaits a socket: each takes the frame into its outbox (outbox.py).
        for watcher in list(self.watchers.get(event_id, ())):
            if not watcher.deliver(text, seq, epoch):
                self.drop(watcher, CLOSE_TOO_SLOW)

    def _drop_everyone(self) -> None:
        for watcher in [w for group in self.watchers.values() for w in group]:
            self.drop(watcher, CLOSE_LAYER_DOWN)
        self.watchers.clear()

    async def _close_stalled_forever(self) -> None:
        while True:
            await asyncio.sleep(STALL_CHECK_INTERVAL)
            now = time.monotonic()
            for group in list(self.watchers.values()):
                for watcher in [w for w in group if w.stalled(now)]:
                    logger.info("closing a stalled socket of event %s", watcher.event_id)
                    self.drop(watcher, CLOSE_TOO_SLOW)

    # --- presence -----------------------------------------------------------------------------

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
