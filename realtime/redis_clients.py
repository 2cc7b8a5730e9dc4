"""Every Redis client of the socket side, made here with one policy, one per shard
(reservations/redis_shards.py says which shard holds what).

Redis restarts (a deploy, a failover) close every pooled connection; the next call on each would
fail although Redis is back. The clients below retry such a call on a fresh connection, a few
times with a short backoff, so no caller writes a try/except for it. A Redis that stays away
still raises, after about a second: callers treat that as "down".
"""

import redis
import redis.asyncio
import redis.asyncio.retry
import redis.backoff

from reservations.redis_shards import shards

RETRIES = 3
_RETRY_ON = [redis.ConnectionError, redis.TimeoutError]


def _backoff() -> redis.backoff.ExponentialWithJitterBackoff:
    return redis.backoff.ExponentialWithJitterBackoff(base=0.05, cap=0.5)


def _options(timeout: float) -> dict:
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry_on_error": _RETRY_ON,
        # PING a connection that sat idle this long before using it: a closed one is replaced.
        "health_check_interval": 5,
    }


def async_shard_clients(*, timeout: float = 2) -> list[redis.asyncio.Redis]:
    """A client of each shard, in `shards()` order (empty without Redis)."""
    return [
        shard.async_client(
            retry=redis.asyncio.retry.Retry(_backoff(), RETRIES), **_options(timeout)
        )
        for shard in shards()
    ]
