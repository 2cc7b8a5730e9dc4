"""Which Redis holds what: one Redis, or several primaries ("shards"), each reached directly or
through Redis Sentinel (docs/SCALING.md "Redis").

An event's state lives on the event's shard: its channel layer group (channels-redis's pub/sub
layer picks a group's host by a CRC of the group's channel name, split in ranges over the
hosts), its `seq` and `epoch`, its presence counts, and its waiting room's state messages.
`event_shard` applies the library's own function to the same name, so the keys follow the group
and one event never needs two hosts. Everything not of one event (booking limits, the
throttles' cache, the booking path's health) lives on the first shard, the home.

Settings: ``REDIS_URL`` switches Redis on and gives the database number and password of every
host; ``REDIS_SHARDS`` lists the primaries (URLs, or with ``REDIS_SENTINELS`` the names the
Sentinels monitor); without it ``REDIS_URL`` is the one host. The split is by ranges, not a
hash ring: going from n hosts to n + 1 moves half of the events whatever n is (SCALING.md says
what their watchers see). Change the list with a full restart, never a rolling one: two
processes with different lists would publish one event on two hosts.
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
from channels_redis.utils import _consistent_hash
from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

HOME = 0

# Each connection of this process's channel layer is given this name, so that the relay can tell
# its pub/sub connection among a shard's clients and see one Redis dropped come back as another
# (realtime/relay.py). The pid and a random part keep it apart from other processes and hosts.
LAYER_CLIENT_NAME = f"seatmap-layer-{os.getpid()}-{secrets.token_hex(3)}"


def event_group(event_id: int) -> str:
    """The event's group on the channel layer: every process with watchers of it listens."""
    return f"event.{event_id}"


# The group every server process listens on for revoked logins (signals.family_revoked): not
# of one event, so on whichever shard the layer hashes its name to.
SIGN_OUTS_GROUP = "accounts.sign-outs"


@dataclasses.dataclass(frozen=True)
class Shard:
    """One Redis primary: `url`, or `master` found through `sentinels`."""

    url: str = ""
    master: str = ""
    sentinels: tuple[tuple[str, int], ...] = ()
    db: int = 0
    password: str | None = None

    @property
    def name(self) -> str:
        """How health and logs name it (no password)."""
        if self.master:
            return f"redis:{self.master}"
        parts = urlsplit(self.url)
        return f"redis:{parts.hostname}:{parts.port or 6379}"

    def _connection(self) -> dict:
        return {"db": self.db, "password": self.password}

    def layer_host(self, **options) -> dict:
        """The host entry of channels-redis's `hosts` setting."""
        options = {"client_name": LAYER_CLIENT_NAME, **options}
        if self.master:
            return {
                "master_name": self.master,
                "sentinels": list(self.sentinels),
                "sentinel_kwargs": _SENTINEL_OPTIONS,
                **self._connection(),
                **options,
            }
        return {"address": self.url, **options}

    def sync_client(self, **options) -> redis.Redis:
        if self.master:
            sentinel = redis.sentinel.Sentinel(
                self.sentinels, sentinel_kwargs=_SENTINEL_OPTIONS, **self._connection()
            )
            return sentinel.master_for(self.master, **options)
        return redis.Redis.from_url(self.url, **options)

    def async_client(self, **options) -> redis.asyncio.Redis:
        if self.master:
            options.pop("connection_pool_class", None)  # Sentinel's own pool finds the primary
            options.pop("timeout", None)
            sentinel = redis.asyncio.sentinel.Sentinel(
                self.sentinels, sentinel_kwargs=_SENTINEL_OPTIONS, **self._connection()
            )
            return sentinel.master_for(self.master, **options)
        pool_class = options.pop("connection_pool_class", redis.asyncio.ConnectionPool)
        max_connections = options.pop("max_connections", None)
        timeout = options.pop("timeout", None)  # BlockingConnectionPool's wait for one
        pool_options = {"max_connections": max_connections} if max_connections else {}
        if timeout is not None:
            pool_options["timeout"] = timeout
        pool = pool_class.from_url(self.url, **pool_options, **options)
        return redis.asyncio.Redis(connection_pool=pool)


# Asking a Sentinel which host is the primary must fail fast: a failover is when it is asked.
_SENTINEL_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}


def shards_of(redis_url: str, shards: list[str], sentinels: list[str]) -> list[Shard]:
    """The shards the three settings describe (settings.py and the tests call this)."""
    if not redis_url:
        return []
    base = urlsplit(redis_url)
    db = int(base.path.strip("/") or 0)
    password = unquote(base.password) if base.password else None
    if sentinels:
        points = tuple(_host_port(s) for s in sentinels)
        masters = shards or ["seatmap"]
        return [Shard(master=m, sentinels=points, db=db, password=password) for m in masters]
    return [Shard(url=url) for url in (shards or [redis_url])]


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


def shards() -> list[Shard]:
    return _shards(
        settings.REDIS_URL, tuple(settings.REDIS_SHARDS), tuple(settings.REDIS_SENTINELS)
    )


@functools.cache
def _shards(redis_url: str, shard_list: tuple, sentinels: tuple) -> list[Shard]:
    return shards_of(redis_url, list(shard_list), list(sentinels))


def group_shard(group: str, count: int) -> int:
    """The shard of a group of the pub/sub layer, as channels-redis chooses it."""
    return _consistent_hash(f"{settings.CHANNEL_LAYER_PREFIX}__group__{group}", count)


def event_shard(event_id: int) -> int:
    """The index in `shards()` of the host of everything of the event."""
    return group_shard(event_group(event_id), len(shards()) or 1)


class _HomeShardCacheClient(RedisCacheClient):
    """Django's Redis cache client, its one connection pool on the home shard, found through
    Sentinel when there is one (Django's own client only reads URLs)."""

    def _get_connection_pool(self, write):
        if HOME not in self._pools:
            self._pools[HOME] = home_client().connection_pool
        return self._pools[HOME]


class HomeShardCache(RedisCache):
    """``CACHES["default"]`` with Redis: the throttles' counts live on the home shard."""

    def __init__(self, server, params):
        super().__init__(server or "home-shard", params)
        self._class = _HomeShardCacheClient


def home_client() -> redis.Redis:
    """A shared client of the home shard, for the calls of request threads."""
    return shard_client(HOME)


def shard_client(index: int) -> redis.Redis:
    return _client_of(shards()[index])


@functools.cache
def _client_of(shard: Shard) -> redis.Redis:
    return shard.sync_client(socket_timeout=1, socket_connect_timeout=1)


def shard_answers(index: int) -> bool:
    """Whether the shard's primary answers a PING within about a second."""
    try:
        return bool(_probe_of(shards()[index]).ping())
    except redis.RedisError:
        return False


@functools.cache
def _probe_of(shard: Shard) -> redis.Redis:
    # One retry at once: the pooled connection of a Redis that restarted fails once, on use.
    once = redis.retry.Retry(redis.backoff.NoBackoff(), 1)
    return shard.sync_client(socket_timeout=0.5, socket_connect_timeout=0.5, retry=once)
