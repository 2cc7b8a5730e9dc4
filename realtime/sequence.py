"""`seq` and `epoch` of each event's stream (PROTOCOL.md "Ordering and gaps").

The counter lives in Redis, not in a database row: every change of an event bumps it, and a
hot PostgreSQL row would serialise every transaction of a busy event behind one lock. One Lua
script reads the epoch and bumps the counter atomically; if Redis lost its data, the script
finds no epoch, starts a new one and the counter again from 0, and clients see the new epoch.

Without Redis (the embedded default, one process) the counter is process memory with an epoch
per process start. Both kinds answer the same two calls; ``counters(client)`` picks one.
"""

import secrets
import threading
from typing import Protocol

import redis.asyncio

_SCRIPT = """
local replication = redis.call('INFO', 'replication')
local primary = string.match(replication, 'master_replid:(%w+)')
local epoch = redis.call('GET', KEYS[1])
if not epoch or redis.call('GET', KEYS[3]) ~= primary then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
  redis.call('SET', KEYS[2], 0)
  redis.call('SET', KEYS[3], primary)
end
if ARGV[2] ~= '0' then
  return {epoch, redis.call('INCRBY', KEYS[2], ARGV[2])}
end
return {epoch, tonumber(redis.call('GET', KEYS[2]) or '0')}
"""


def _new_epoch() -> str:
    return secrets.token_hex(4)


class Counters(Protocol):
    async def next(self, event_id: int, count: int = 1) -> tuple[str, int]:
        """Take the next `count` numbers of the event's stream: (epoch, the last of them)."""

    async def current(self, event_id: int) -> tuple[str, int]:
        """The counter as it stands: what a snapshot read afterwards already includes."""


class RedisCounters:
    def __init__(self, client: redis.asyncio.Redis):
        # Sent by its digest (EVALSHA); redis-py loads the script again where a primary does
        # not know it (a restart, a failover to a replica).
        self._script = client.register_script(_SCRIPT)

    async def _eval(self, event_id: int, count: int) -> tuple[str, int]:
        tag = f"{{seatmap:event:{event_id}}}"
        epoch, seq = await self._script(
            keys=[f"{tag}:epoch", f"{tag}:seq", f"{tag}:born-on"], args=[_new_epoch(), str(count)]
        )
        return (epoch.decode() if isinstance(epoch, bytes) else epoch), int(seq)

    async def next(self, event_id: int, count: int = 1) -> tuple[str, int]:
        return await self._eval(event_id, count)

    async def current(self, event_id: int) -> tuple[str, int]:
        return await self._eval(event_id, 0)


class MemoryCounters:
    """One per process (the publisher and the snapshots may run on different threads)."""

    def __init__(self):
        self.epoch = _new_epoch()
        self._lock = threading.Lock()
        self._current: dict[int, int] = {}

    async def next(self, event_id: int, count: int = 1) -> tuple[str, int]:
        with self._lock:
            value = self._current.get(event_id, 0) + count
            self._current[event_id] = value
            return self.epoch, value

    async def current(self, event_id: int) -> tuple[str, int]:
        with self._lock:
            return self.epoch, self._current.get(event_id, 0)


_memory = MemoryCounters()


def counters(client: redis.asyncio.Redis | None) -> Counters:
    """Redis's counters, given a client; without one, this process's."""
    return RedisCounters(client) if client is not None else _memory
