"""How many people watch an event, over every server process (PROTOCOL.md `presence`)."""

import time

import orjson

from .protocol import presence_frame

PRESENCE_INTERVAL = 1.0

# Each process writes its own count; counts of processes silent for three intervals go.
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


class Presence:
    def __init__(self, client, process_id: str):
        self._redis = client  # None without Redis
        self._process_id = process_id
        self._sent: dict[int, int] = {}

    async def message(self, event_id: int, local: int) -> str | None:
        """Report this process's count; the `presence` frame to send, if the total changed."""
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
                    self._process_id,
                    local,
                    now,
                    now - 3 * PRESENCE_INTERVAL - 1,
                )
            )
        if not local:
            self._sent.pop(event_id, None)
            return None
        if self._sent.get(event_id) == total:
            return None
        self._sent[event_id] = total
        return orjson.dumps(presence_frame(event_id=event_id, watchers=total)).decode()
