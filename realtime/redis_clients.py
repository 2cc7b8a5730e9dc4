"""Every Redis client of the socket side, made here with one policy.

Redis restarts (a deploy, a failover) close every pooled connection; the next call on each would
fail although Redis is back. The clients below retry such a call on a fresh connection, a few
times with a short backoff, so no caller writes a try/except for it. A Redis that stays away
still raises, after about a second: callers treat that as "down".
"""

import redis
import redis.asyncio
import redis.asyncio.retry
import redis.backoff
import redis.retry
from django.conf import settings

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


def async_redis(*, timeout: float = 2) -> redis.asyncio.Redis:
    return redis.asyncio.Redis.from_url(
        settings.REDIS_URL,
        retry=redis.asyncio.retry.Retry(_backoff(), RETRIES),
        **_options(timeout),
    )


def sync_redis(*, timeout: float = 1) -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, retry=redis.retry.Retry(_backoff(), RETRIES), **_options(timeout)
    )
