"""The Redis client of the socket side, made here with one policy, and the channel layer's
sends.

Redis restarts (a deploy, a failover) close every pooled connection; the next call on each would
fail although Redis is back. The clients below retry such a call on a fresh connection, a few
times with a short backoff, so no caller writes a try/except for it. A Redis that stays away
still raises, after about a second: callers treat that as "down".
"""

import redis
import redis.asyncio
import redis.asyncio.retry
import redis.backoff
from channels.layers import get_channel_layer

from reservations.redis_primary import primary

RETRIES = 3
TIMEOUT = 2  # seconds, for a call and for a connection


def async_client() -> redis.asyncio.Redis | None:
    """A client of the primary (None without Redis)."""
    where = primary()
    if where is None:
        return None
    backoff = redis.backoff.ExponentialWithJitterBackoff(base=0.05, cap=0.5)
    return where.async_client(
        retry=redis.asyncio.retry.Retry(backoff, RETRIES),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        socket_timeout=TIMEOUT,
        socket_connect_timeout=TIMEOUT,
        # PING a connection that sat idle this long before using it: a closed one is replaced.
        health_check_interval=5,
    )


async def group_send(group: str, message: dict) -> None:
    """The channel layer's `group_send`, tried once more on a fresh connection: the pub/sub
    layer's publishing connection finds out that Redis restarted only when it next writes."""
    try:
        await get_channel_layer().group_send(group, message)
    except redis.ConnectionError:
        await get_channel_layer().group_send(group, message)
