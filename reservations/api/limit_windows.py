"""Every limit's count (booking, the login doors, anonymous reads), and the one policy when
Redis is gone.

A limit is a fixed window per rate period: INCRBY, and EXPIRE on the first of the window, in
Redis, so every server process shares one count (a Lua script for all the windows of a call;
on the loop, one command for all the calls of one turn of the event loop, each window key once
however many of them count there). A burst may reach twice the rate across a window's edge;
for limits no person meets, one round trip matters more.

**When Redis is gone** (a call fails, or times out after a second), every limit counts in this
process's own windows instead, the same keys in memory: a limit still refuses past its rate,
per process rather than for all of them, and nothing that the database can serve is refused
for want of Redis. Redis is asked again at most every ``OUTAGE_RETRY_SECONDS`` meanwhile (a
Redis that hangs would otherwise cost every call its timeout). The outage is logged once when
it begins and once when it ends, never per call. Without Redis at all (the embedded
single-process set-up) the windows are always counted in memory. The event list, an event,
its seat list and map depend on Redis only through their limits, so they keep answering from
PostgreSQL and the process's memory (API.md "When Redis is gone").
"""

import asyncio
import functools
import logging
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import redis
import redis.asyncio
from aiodataloader import DataLoader
from django.conf import settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from reservations.redis_primary import Primary, primary
from reservations.redis_primary import client as primary_client

logger = logging.getLogger("reservations.api")

OUTAGE_RETRY_SECONDS = 2.0

# What a Redis call can fail with: its own errors, and, seen under load from threads, a
# connection closed under it (OSError, or ValueError "I/O operation on closed file").
REDIS_FAILURES = (redis.RedisError, OSError, ValueError)

# How the loop's counting connections show in Redis's CLIENT LIST.
LIMITS_CLIENT_NAME = "seatmap-booking-limits"


@dataclass(frozen=True)
class Rule:
    key: str
    limit: int
    period: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait: int = 0


ALLOWED = Verdict(True)


def rate_of(value: str | None) -> tuple[int, int] | None:
    """(requests, seconds) of a DRF-style rate such as ``120/min``; None when off."""
    if not value:
        return None
    return SimpleRateThrottle.parse_rate(None, value)


def window_rule(name: str, who: str, rate: tuple[int, int], now: float) -> Rule:
    """The window of limit `name` for `who` (an address key, a user) that `now` falls in."""
    limit, period = rate
    return Rule(f"limits:{name}:{who}:{period}:{int(now // period)}", limit, period)


def one_window(name: str, who: str | None, rate: str | None, now: float) -> list[Rule]:
    """The window of limit `name` at `rate` (a setting's text) for `who`: none when the limit
    is off or there is no one to count."""
    parsed = rate_of(rate)
    return [] if parsed is None or who is None else [window_rule(name, who, parsed, now)]


def verdict_of(rules: Sequence[Rule], counts: Sequence[int], now: float) -> Verdict:
    over = [rule for rule, count in zip(rules, counts, strict=True) if count > rule.limit]
    if not over:
        return ALLOWED
    return Verdict(False, max(1, *(seconds_left(rule, now) for rule in over)))


def seconds_left(rule: Rule, now: float) -> int:
    """Whole seconds until the window of `rule` ends (at least 1)."""
    return max(1, rule.period - int(now % rule.period))


# Counts calls in fixed windows, in one command for any number of calls: for each key, the
# calls to count (ARGV[2i - 1]) and the window's length (ARGV[2i]), which the key outlives by a
# second once it is made. Answers each key's count after them.
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local adding = tonumber(ARGV[2 * i - 1])
  local count = redis.call('INCRBY', key, adding)
  if count == adding then
    redis.call('EXPIRE', key, tonumber(ARGV[2 * i]) + 1)
  end
  counts[i] = count
end
return counts
"""


def windows_of(calls: Sequence[tuple[Rule, ...]]) -> dict[str, list[int]]:
    """Each window key these calls count in: [how many of them count there, its period]."""
    windows: dict[str, list[int]] = {}
    for rules in calls:
        for rule in rules:
            windows.setdefault(rule.key, [0, rule.period])[0] += 1
    return windows


def counts_of(
    calls: Sequence[tuple[Rule, ...]], windows: dict[str, list[int]], totals: Sequence[int]
) -> list[list[int]]:
    """Each call's count in each of its windows, as if they had been counted one after the
    other in order, from each window's count after all of them (the script's answer)."""
    seen = {
        key: total - adding
        for (key, (adding, _)), total in zip(windows.items(), totals, strict=True)
    }
    answers = []
    for rules in calls:
        counts = []
        for rule in rules:
            seen[rule.key] += 1
            counts.append(seen[rule.key])
        answers.append(counts)
    return answers


def _script_args(windows: dict[str, list[int]]) -> tuple[list[str], list[int]]:
    return list(windows), [value for pair in windows.values() for value in pair]


class _ProcessWindows:
    """The same fixed windows in this process's memory, and the pauses beside them."""

    def __init__(self):
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def _forget_ended(self, now: float) -> None:
        if len(self._counts) > 10_000:
            self._counts = {k: v for k, v in self._counts.items() if v[0] > now}

    def count(self, rules: Sequence[Rule], now: float) -> list[int]:
        with self._lock:
            self._forget_ended(now)
            counts = []
            for rule in rules:
                expires, count = self._counts.get(rule.key, (now + rule.period, 0))
                if expires <= now:
                    expires, count = now + rule.period, 0
                self._counts[rule.key] = (expires, count + 1)
                counts.append(count + 1)
            return counts

    def pause(self, key: str, seconds: float, now: float) -> None:
        with self._lock:
            self._forget_ended(now)
            self._counts[key] = (now + seconds, 1)

    def paused_for(self, key: str, now: float) -> float:
        with self._lock:
            until, _ = self._counts.get(key, (0.0, 0))
        return max(0.0, until - now)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


_process_windows = _ProcessWindows()


class _Outage:
    """Whether Redis is known to be away, so that an outage is logged once and Redis is asked
    again only now and then meanwhile."""

    def __init__(self):
        self._lock = threading.Lock()
        self._since: float | None = None
        self._retry_at = 0.0

    def skip_redis(self) -> bool:
        return self._since is not None and time.monotonic() < self._retry_at

    def failed(self, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._retry_at = now + OUTAGE_RETRY_SECONDS
            if self._since is not None:
                return
            self._since = now
        logger.warning(
            "Redis is out of reach (%s): every limit counts in this process's own windows"
            " until it is back",
            exc,
        )

    def recovered(self) -> None:
        if self._since is None:
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            logger.warning(
                "Redis is back after %.0f s: limits are counted for every process again",
                time.monotonic() - since,
            )

    def clear(self) -> None:
        with self._lock:
            self._since, self._retry_at = None, 0.0


_outage = _Outage()


def forget_all() -> None:
    """Forget every count kept in this process and any outage (tests)."""
    _process_windows.clear()
    _outage.clear()


@functools.lru_cache(maxsize=4)
def _count_script(where: Primary):
    """The count script on the primary's client, once per primary: the argument only keys the
    cache, so a test's settings that name another Redis get a script of their own."""
    return primary_client().register_script(_COUNT_SCRIPT)


def _in_redis(call, fallback):
    """`call()` against Redis, or `fallback()` in this process's windows if Redis is away."""
    if not settings.REDIS_URL or _outage.skip_redis():
        return fallback()
    try:
        answer = call()
    except REDIS_FAILURES as exc:
        _outage.failed(exc)
        return fallback()
    _outage.recovered()
    return answer


def count(rules: Sequence[Rule], now: float) -> list[int]:
    """Count one call in each of its windows; each window's count after it."""
    calls = [tuple(rules)]
    windows = windows_of(calls)
    keys, args = _script_args(windows)

    def in_redis():
        totals = _count_script(primary())(keys=keys, args=args)
        return counts_of(calls, windows, totals)[0]

    return _in_redis(in_redis, lambda: _process_windows.count(rules, now))


def pause(key: str, seconds: float) -> None:
    """From now, `paused_for(key)` says how long until `seconds` have passed."""
    milliseconds = max(1, int(seconds * 1000))
    _in_redis(
        lambda: primary_client().set(f"limits:pause:{key}", 1, px=milliseconds),
        lambda: _process_windows.pause(f"limits:pause:{key}", seconds, time.time()),
    )


def paused_for(key: str) -> float:
    """Seconds left of `key`'s pause (0: none)."""

    def in_redis():
        milliseconds = primary_client().pttl(f"limits:pause:{key}")
        return max(0, milliseconds) / 1000

    return _in_redis(
        in_redis, lambda: _process_windows.paused_for(f"limits:pause:{key}", time.time())
    )


_CountersOfLoops = (
    "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Primary, DataLoader]]"
)
_async_counters: _CountersOfLoops = weakref.WeakKeyDictionary()


def _async_counter() -> DataLoader:
    """This loop's counter: the counts of the calls that reach it in one turn of the loop go to
    Redis together, in one command (aiodataloader's batching). Measured at the hot seat (1,000
    clicks at once), one round trip per call on a few pooled connections spent a quarter of the
    burst's CPU queueing for a connection (BENCHMARKS.md, issue 11)."""
    loop = asyncio.get_running_loop()
    where = primary()
    known = _async_counters.get(loop)
    if known is not None and known[0] == where:
        return known[1]
    # A burst must not open a connection per batch: a few, waited for (through Sentinel, a
    # few at most: its pool does not wait).
    client = where.async_client(
        connection_pool_class=redis.asyncio.BlockingConnectionPool,
        client_name=LIMITS_CLIENT_NAME,
        max_connections=8,
        timeout=1,
        socket_timeout=1,
        socket_connect_timeout=1,
    )
    script = client.register_script(_COUNT_SCRIPT)

    async def count_batch(calls: list[tuple[Rule, ...]]) -> list[list[int]]:
        windows = windows_of(calls)
        keys, args = _script_args(windows)
        return counts_of(calls, windows, await script(keys=keys, args=args))

    counter = DataLoader(count_batch, cache=False, loop=loop)
    _async_counters[loop] = (where, counter)
    return counter


async def count_async(rules: Sequence[Rule], now: float) -> list[int]:
    """`count` on the event loop, batched with the other calls of this turn of the loop."""
    if not settings.REDIS_URL or _outage.skip_redis():
        return _process_windows.count(rules, now)
    try:
        counts = await _async_counter().load(tuple(rules))
    except REDIS_FAILURES as exc:
        _outage.failed(exc)
        return _process_windows.count(rules, now)
    _outage.recovered()
    return counts


def allowed(rules: Sequence[Rule], now: float) -> Verdict:
    """Count one call in each of `rules`' windows: its verdict (ALLOWED when there are none)."""
    return verdict_of(rules, count(rules, now), now) if rules else ALLOWED


async def allowed_async(rules: Sequence[Rule], now: float) -> Verdict:
    """`allowed` on the loop."""
    return verdict_of(rules, await count_async(rules, now), now) if rules else ALLOWED


class WindowThrottle(BaseThrottle):
    """A DRF throttle counted as every limit is: `rules` names the windows a request counts in."""

    def rules(self, request, view, now: float) -> list[Rule]:
        raise NotImplementedError

    def allow_request(self, request, view):
        now = time.time()
        self.verdict = allowed(self.rules(request, view, now), now)
        return self.verdict.allowed

    def wait(self):
        return self.verdict.wait
