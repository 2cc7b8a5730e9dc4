"""The one Redis primary: at ``REDIS_URL``, or, with ``REDIS_SENTINELS``, the primary the
Sentinels monitor as ``seatmap`` (``REDIS_URL`` then gives only its database number and
password). Sentinel promotes the replica when the primary dies; the clients made here ask it
where the primary is now.
"""

import dataclasses
import functools
import os
import secrets
from urllib.parse import unquote, urlsplit

import redis
import redis.asyncio
import redis.asyncio.sentinel
import redis.backoff
import redis.retry
import redis.sentinel
from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

# The name the Sentinels monitor the primary under (config/redis/sentinel.conf).
SENTINEL_MASTER = "seatmap"

# Each connection of this process's channel layer is given this name, so that the relay can tell
# its pub/sub connection among the primary's clients and see one Redis dropped come back as
# another (realtime/relay.py). The pid and a random part keep it apart from other processes.
LAYER_CLIENT_NAME = f"seatmap-layer-{os.getpid()}-{secrets.token_hex(3)}"


def event_group(event_id: int) -> str:
    """The event's group on the channel layer: every process with watchers of it listens."""
    return f"event.{event_id}"


# The group every server process listens on for revoked logins (signals.family_revoked).
SIGN_OUTS_GROUP = "accounts.sign-outs"

# Asking a Sentinel which host is the primary must fail fast: a failover is when it is asked.
_SENTINEL_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}


@dataclasses.dataclass(frozen=True)
class Primary:
    """`url`, or the primary `sentinels` find (the database and password from `url`)."""

    url: str
    sentinels: tuple[tuple[str, int], ...] = ()

    def _connection(self) -> dict:
        parts = urlsplit(self.url)
        password = unquote(parts.password) if parts.password else None
        return {"db": int(parts.path.strip("/") or 0), "password": password}

    def layer_host(self, **options) -> dict:
        """The host entry of channels-redis's `hosts` setting."""
        options = {"client_name": LAYER_CLIENT_NAME, **options}
        if self.sentinels:
            return {
                "master_name": SENTINEL_MASTER,
                "sentinels": list(self.sentinels),
                "sentinel_kwargs": _SENTINEL_OPTIONS,
                **self._connection(),
                **options,
            }
        return {"address": self.url, **options}

    def sync_client(self, **options) -> redis.Redis:
        if self.sentinels:
            sentinel = redis.sentinel.Sentinel(
                self.sentinels, sentinel_kwargs=_SENTINEL_OPTIONS, **self._connection()
            )
            return sentinel.master_for(SENTINEL_MASTER, **options)
        return redis.Redis.from_url(self.url, **options)

    def async_client(self, **options) -> redis.asyncio.Redis:
        if self.sentinels:
            options.pop("connection_pool_class", None)  # Sentinel's own pool finds the primary
            options.pop("timeout", None)
            sentinel = redis.asyncio.sentinel.Sentinel(
                self.sentinels, sentinel_kwargs=_SENTINEL_OPTIONS, **self._connection()
            )
            return sentinel.master_for(SENTINEL_MASTER, **options)
        pool_class = options.pop("connection_pool_class", redis.asyncio.ConnectionPool)
        max_connections = options.pop("max_connections", None)
        timeout = options.pop("timeout", None)  # BlockingConnectionPool's wait for one
        pool_options = {"max_connections": max_connections} if max_connections else {}
        if timeout is not None:
            pool_options["timeout"] = timeout
        pool = pool_class.from_url(self.url, **pool_options, **options)
        return redis.asyncio.Redis(connection_pool=pool)


def primary_of(redis_url: str, sentinels: list[str]) -> Primary | None:
    """The primary the two settings describe (settings.py calls this); None without Redis."""
    if not redis_url:
        return None
    points = tuple((host, int(port)) for host, _, port in (s.rpartition(":") for s in sentinels))
    return Primary(redis_url, points)


def primary() -> Primary | None:
    return _primary(settings.REDIS_URL, tuple(settings.REDIS_SENTINELS))


@functools.cache
def _primary(redis_url: str, sentinels: tuple) -> Primary | None:
    return primary_of(redis_url, list(sentinels))


class _PrimaryCacheClient(RedisCacheClient):
    """Django's Redis cache client, its one connection pool on the primary, found through
    Sentinel when there is one (Django's own client only reads URLs)."""

    def _get_connection_pool(self, write):
        if not self._pools:
            self._pools[0] = client().connection_pool
        return self._pools[0]


class PrimaryCache(RedisCache):
    """``CACHES["default"]`` with Redis: the throttles' counts."""

    def __init__(self, server, params):
        super().__init__(server or "primary", params)
        self._class = _PrimaryCacheClient


def client() -> redis.Redis:
    """A shared client of the primary, for the calls of request threads."""
    return _client_of(primary())


@functools.cache
def _client_of(where: Primary) -> redis.Redis:
    return where.sync_client(socket_timeout=1, socket_connect_timeout=1)


def answers() -> bool:
    """Whether the primary answers a PING within about a second."""
    try:
        return bool(_probe_of(primary()).ping())
    except redis.RedisError:
        return False


@functools.cache
def _probe_of(where: Primary) -> redis.Redis:
    # One retry at once: the pooled connection of a Redis that restarted fails once, on use.
    once = redis.retry.Retry(redis.backoff.NoBackoff(), 1)
    return where.sync_client(socket_timeout=0.5, socket_connect_timeout=0.5, retry=once)
