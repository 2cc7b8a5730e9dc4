"""`seq` and `epoch` of each event's stream (PROTOCOL.md "Ordering and gaps").

The counter lives in Redis, not in a database row: every change of an event bumps it, and a
hot PostgreSQL row would serialise every transaction of a busy event behind one lock. One Lua
script reads the epoch and bumps the counter atomically; if Redis lost its data, the script
finds no epoch, starts a new one and the counter again from 0, and clients see the new epoch.

Without Redis (the embedded default, one process) the counter is process memory with an epoch
per process start.
"""

import secrets
import threading

import redis
import redis.asyncio
from django.conf import settings

from .redis_clients import sync_redis

_SCRIPT = """
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
  redis.call('SET', KEYS[2], 0)
end
if ARGV[2] ~= '0' then
  return {epoch, redis.call('INCRBY', KEYS[2], ARGV[2])}
end
return {epoch, tonumber(redis.call('GET', KEYS[2]) or '0')}
"""


def _keys(event_id: int) -> list[str]:
    tag = f"{{seatmap:event:{event_id}}}"
    return [f"{tag}:epoch", f"{tag}:seq"]


def _new_epoch() -> str:
    return secrets.token_hex(4)


class _MemoryCounters:
    def __init__(self):
        self.epoch = _new_epoch()
        self._lock = threading.Lock()
        self._current: dict[int, int] = {}

    def next(self, event_id: int, count: int = 1) -> tuple[str, int]:
        with self._lock:
            value = self._current.get(event_id, 0) + count
            self._current[event_id] = value
            return self.epoch, value

    def current(self, event_id: int) -> tuple[str, int]:
        with self._lock:
            return self.epoch, self._current.get(event_id, 0)


_memory = _MemoryCounters()
_sync_client: redis.Redis | None = None
_sync_lock = threading.Lock()


def _redis_sync() -> redis.Redis:
    global _sync_client
    with _sync_lock:
        if _sync_client is None:
            _sync_client = sync_redis()
        return _sync_client


def _decode(result) -> tuple[str, int]:
    epoch, seq = result
    return (epoch.decode() if isinstance(epoch, bytes) else epoch), int(seq)


def seq_next(event_id: int, count: int = 1) -> tuple[str, int]:
    """Take the next `count` numbers of the event's stream: (epoch, the last of them)."""
    if not settings.REDIS_URL:
        return _memory.next(event_id, count)
    return _decode(_redis_sync().eval(_SCRIPT, 2, *_keys(event_id), _new_epoch(), str(count)))


async def seq_next_async(
    client: "redis.asyncio.Redis | None", event_id: int, count: int = 1
) -> tuple[str, int]:
    """seq_next for code on an event loop."""
    if client is None:
        return _memory.next(event_id, count)
    return _decode(await client.eval(_SCRIPT, 2, *_keys(event_id), _new_epoch(), str(count)))


async def seq_current(client: "redis.asyncio.Redis | None", event_id: int) -> tuple[str, int]:
    """The counter as it stands: what a snapshot read afterwards already includes."""
    if client is None:
        return _memory.current(event_id)
    return _decode(await client.eval(_SCRIPT, 2, *_keys(event_id), _new_epoch(), "0"))
