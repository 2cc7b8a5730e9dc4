"""One relay per server process between the channel layer and that process's sockets.

The tutorial design gives every socket its own channel-layer channel and group membership: a
connect storm then makes thousands of Redis calls at once (and runs out of connections), and
every change is queued, hopped and JSON-encoded once per socket. Here the process joins each
event's group once, with one channel of its own, and relays the message text (encoded once, by
the publisher) to its local sockets of that event. Redis work per change is one delivery per
process, whatever the number of watchers.

If the channel layer fails, the relay closes its sockets (code 4503): their
clients reconnect and take a fresh snapshot, so nobody is left silently stale. It then rejoins
with backoff, and pushes resume by themselves once Redis is back.
"""

import asyncio
import logging
import os
import secrets
import time
from typing import Protocol

import orjson
import redis.asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from reservations.selectors import event_exists, seat_states_get

from .broadcast import event_group
from .sequence import seq_current

logger = logging.getLogger("realtime.hub")

PRESENCE_INTERVAL = 1.0
SNAPSHOT_REUSE_SECONDS = 1.0
# Group memberships are re-added this often: they expire on the layer after a day, and a Redis
# that lost its data without dropping connections (a FLUSHALL, a failover) forgets them.
GROUP_REFRESH_SECONDS = 30
# How often the relay asks Redis whether it is there (see _redis_alive).
LIVENESS_INTERVAL = 1.0
# Close code for "the live feed broke, reconnect and take a snapshot". (1012 "service restart"
# would say it, but ASGI servers accept only 1000 and 3000-4999 from applications.)
CLOSE_LAYER_DOWN = 4503


class Watcher(Protocol):
    event_id: int

    async def deliver(self, text: str, seq: int, epoch: str) -> None: ...

    async def deliver_presence(self, text: str) -> None: ...

    async def drop(self, code: int) -> None: ...


_PRESENCE_SCRIPT = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
for _, process in ipairs(stale) do
  redis.call('HDEL', KEYS[1], process)
  redis.call('ZREM', KEYS[2], process)
end
redis.call('EXPIRE', KEYS[1], 60)
redis.call('EXPIRE', KEYS[2], 60)
local total = 0
for _, count in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(count) end
return total
"""


REORDER_WAIT_SECONDS = 0.05


class SeqReorder:
    """Puts an event's messages back in `seq` order before they reach the sockets.

    Publishers on several threads and processes take `seq` and send in two steps, so message
    63 can overtake 62 on the way. Passed on as they come, every watcher would see a gap at
    once and ask for a snapshot. Here a message that comes early waits (at most
    REORDER_WAIT_SECONDS) for the ones before it; if they never come, the waiting ones go out
    and the clients resync on the gap, as PROTOCOL.md has them.
    """

    def __init__(self, start_timer):
        self._start_timer = start_timer
        self._timer = None
        self.epoch: str | None = None
        self.expected: int | None = None
        self.waiting: dict[int, tuple[str, int, str]] = {}

    def admit(self, text: str, seq: int, epoch: str) -> list[tuple[str, int, str]]:
        entry = (text, seq, epoch)
        if epoch != self.epoch or self.expected is None:
            released = self.release_all()
            self.epoch, self.expected = epoch, seq + 1
            return [*released, entry]
        if seq < self.expected:
            return [entry]  # late or repeated: clients drop it by seq, or it fills their gap
        self.waiting[seq] = entry
        released = []
        while self.expected in self.waiting:
            released.append(self.waiting.pop(self.expected))
            self.expected += 1
        if self.waiting and self._timer is None:
            self._timer = self._start_timer()
        elif not self.waiting and self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return released

    def timer_fired(self) -> list[tuple[str, int, str]]:
        self._timer = None  # the timer is the caller: release without cancelling it
        return self.release_all()

    def release_all(self) -> list[tuple[str, int, str]]:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        released = [self.waiting[seq] for seq in sorted(self.waiting)]
        self.waiting.clear()
        if released:
            self.expected = max(self.expected or 0, released[-1][1] + 1)
        return released


class Snapshot:
    def __init__(self, epoch: str, seq: int, text: str):
        self.epoch, self.seq, self.text = epoch, seq, text
        self.built_at = time.monotonic()


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
        self._layer = None
        self._channel: str | None = None
        self._joined: dict[int, asyncio.Future] = {}
        self._ready = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._redis: redis.asyncio.Redis | None = None
        self._snapshots: dict[int, asyncio.Future] = {}
        self._presence_sent: dict[int, int] = {}
        self._events: dict[int, asyncio.Future] = {}
        self._reorders: dict[int, SeqReorder] = {}
        self._delivering = asyncio.Lock()
        self._events_at: dict[int, float] = {}

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

    # --- snapshots ----------------------------------------------------------------------------

    async def snapshot(self, event_id: int) -> Snapshot:
        """The event's snapshot, shared by every socket asking within a second at the same seq.

        `seq` is read before the seats, so every message up to it is in the seats. A socket
        joins before it asks, so a message after that seq reaches it through the relay.
        """
        pending = self._snapshots.get(event_id)
        if pending is not None:
            if not pending.done():
                return await asyncio.shield(pending)
            if pending.exception() is None:
                cached = pending.result()
                if time.monotonic() - cached.built_at < SNAPSHOT_REUSE_SECONDS:
                    return cached
        future = self._snapshots[event_id] = asyncio.ensure_future(self._build_snapshot(event_id))
        return await asyncio.shield(future)

    async def _build_snapshot(self, event_id: int) -> Snapshot:
        epoch, seq = await seq_current(self._redis, event_id)
        seats = await database_sync_to_async(seat_states_get)(event_id=event_id)
        text = orjson.dumps(
            {"type": "snapshot", "event_id": event_id, "seq": seq, "epoch": epoch, "seats": seats}
        ).decode()
        return Snapshot(epoch, seq, text)

    # --- the relay ----------------------------------------------------------------------------

    def _start(self) -> None:
        if not self._tasks:
            self._layer = get_channel_layer()
            if settings.REDIS_URL:
                self._redis = redis.asyncio.Redis.from_url(
                    settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
                )
            self._tasks = [
                asyncio.ensure_future(self._relay()),
                asyncio.ensure_future(self._presence()),
                asyncio.ensure_future(self._refresh_groups()),
            ]
            if not settings.REDIS_URL and settings.EMBEDDED_SWEEPER:
                # The embedded default has no sweeper process: the server runs it as a task.
                self._tasks.append(asyncio.ensure_future(_sweep_forever()))

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
                self._snapshots.clear()
                await self._drop_everyone()
                # Back off while the layer keeps failing; start afresh after a healthy spell.
                backoff = 0.2 if time.monotonic() - started > 10 else min(backoff * 2, 5.0)
                await asyncio.sleep(backoff)

    async def _receive_forever(self) -> None:
        while True:
            message = await self._layer.receive(self._channel)
            await self._dispatch(message)

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

    async def _dispatch(self, message: dict) -> None:
        if message.get("type") != "seats.message":
            return
        event_id, epoch = message["event_id"], message["epoch"]
        self._snapshots.pop(event_id, None)
        async with self._delivering:
            reorder = self._ordered(event_id)
            for seq, text in message["frames"]:  # one per committed transaction, in seq order
                for ordered in reorder.admit(text, seq, epoch):
                    await self._deliver(event_id, *ordered)

    def _ordered(self, event_id: int) -> "SeqReorder":
        reorder = self._reorders.get(event_id)
        if reorder is None:
            reorder = self._reorders[event_id] = SeqReorder(
                lambda: asyncio.ensure_future(self._flush(event_id))
            )
        return reorder

    async def _flush(self, event_id: int) -> None:
        await asyncio.sleep(REORDER_WAIT_SECONDS)
        async with self._delivering:
            for text, seq, epoch in self._ordered(event_id).timer_fired():
                await self._deliver(event_id, text, seq, epoch)

    async def _deliver(self, event_id: int, text: str, seq: int, epoch: str) -> None:
        # Sequential awaits, no task per socket: a send is a buffered write that returns at once
        # unless that socket's buffer is full.
        for watcher in list(self.watchers.get(event_id, ())):
            await watcher.deliver(text, seq, epoch)

    async def _drop_everyone(self) -> None:
        watchers = [w for group in self.watchers.values() for w in group]
        self.watchers.clear()
        await asyncio.gather(*(w.drop(CLOSE_LAYER_DOWN) for w in watchers), return_exceptions=True)

    # --- presence -----------------------------------------------------------------------------

    async def _presence(self) -> None:
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
        if self._redis is None:
            total = local
        else:
            now = time.time()
            tag = f"{{seatmap:event:{event_id}}}"
            total = int(
                await self._redis.eval(
                    _PRESENCE_SCRIPT,
                    2,
                    f"{tag}:presence",
                    f"{tag}:presence-alive",
                    self.process_id,
                    local,
                    now,
                    now - 3 * PRESENCE_INTERVAL - 1,
                )
            )
        if not local:
            self.watchers.pop(event_id, None)
            self._presence_sent.pop(event_id, None)
            return
        if self._presence_sent.get(event_id) != total:
            self._presence_sent[event_id] = total
            text = orjson.dumps(
                {"type": "presence", "event_id": event_id, "watchers": total}
            ).decode()
            for watcher in list(self.watchers.get(event_id, ())):
                await watcher.deliver_presence(text)


async def _sweep_forever(interval: float = 0.5) -> None:
    from reservations.services import locks_expire

    while True:
        try:
            await database_sync_to_async(locks_expire)()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("embedded sweep failed; retrying")
        await asyncio.sleep(interval)


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
