"""The limits on booking calls, per user and per client address, shared by every server process
and by both paths (Django's, through ``BookingThrottle``; the fast path, through
``booking_allowed_async``).

Why: one account holds at most SEAT_HOLD_LIMIT seats of an event, but accounts are free, and a
script that re-locks seats as their holds end can keep a venue off sale (OWASP OAT-021, denial
of inventory). The per-user rate (``BOOKING_USER_RATE``) stops one account hammering; the
per-address rate (``BOOKING_ADDRESS_RATE``) a farm of accounts on one host. The defaults are far
above what a person clicks, the address's high enough for a venue's Wi-Fi behind one NAT.
Load-test hosts are exempt by address (``LIMITS_EXEMPT_NETWORKS``).

The count is a fixed window per rate period in Redis: INCRBY, and EXPIRE on the first of the
window, for both keys in one command (a Lua script; on the fast path, one command for all the
calls of one turn of the event loop, each window key once however many of them count there).
A burst may reach twice the rate across a window's edge; for a limit no buyer meets, one
round trip matters more. If Redis cannot be reached the call is let through (logged): a limit
must not stop an on-sale that the database can serve.
Without Redis at all (the embedded single-process set-up) the windows are counted in memory.
"""

import asyncio
import functools
import ipaddress
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

from .client_address import request_client_address

logger = logging.getLogger("reservations.api")


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


def _rate(setting: str) -> tuple[int, int] | None:
    """(requests, seconds) of a DRF-style rate such as ``120/min``; None when off."""
    value = getattr(settings, setting)
    if not value:
        return None
    requests, seconds = SimpleRateThrottle.parse_rate(None, value)
    return requests, seconds


@functools.lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in spec)


def is_exempt(address: str) -> bool:
    networks = _networks(tuple(settings.LIMITS_EXEMPT_NETWORKS))
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def booking_rules(user_id: int, address: str, now: float) -> list[Rule]:
    """The windows this call counts in (none for an exempt address or with limits off)."""
    if is_exempt(address):
        return []
    rules = []
    for setting, who in (("BOOKING_USER_RATE", f"u{user_id}"), ("BOOKING_ADDRESS_RATE", address)):
        rate = _rate(setting)
        if rate is not None:
            limit, period = rate
            window = int(now // period)
            rules.append(Rule(f"limits:booking:{who}:{period}:{window}", limit, period))
    return rules


def _verdict(rules: list[Rule], counts: list[int], now: float) -> Verdict:
    over = [rule for rule, count in zip(rules, counts, strict=True) if count > rule.limit]
    if not over:
        return ALLOWED
    wait = max(rule.period - int(now % rule.period) for rule in over)
    return Verdict(False, max(wait, 1))


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


def _windows_of(calls: Sequence[tuple[Rule, ...]]) -> dict[str, list[int]]:
    """Each window key these calls count in: [how many of them count there, its period]."""
    windows: dict[str, list[int]] = {}
    for rules in calls:
        for rule in rules:
            windows.setdefault(rule.key, [0, rule.period])[0] += 1
    return windows


def _counts_of(
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


class _ProcessCounts:
    """The counts without Redis (the embedded single-process set-up): the same fixed windows,
    in this process's memory."""

    def __init__(self):
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def count(self, rules: list[Rule], now: float) -> list[int]:
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            counts = []
            for rule in rules:
                expires, count = self._counts.get(rule.key, (now + rule.period, 0))
                self._counts[rule.key] = (expires, count + 1)
                counts.append(count + 1)
            return counts


_process_counts = _ProcessCounts()


# What a Redis call can fail with: its own errors, and, seen under load from threads, a
# connection closed under it (OSError, or ValueError "I/O operation on closed file").
REDIS_FAILURES = (redis.RedisError, OSError, ValueError)


def _let_through(exc: Exception) -> Verdict:
    """The one policy when Redis cannot count: fail open (docs/API.md), and say so."""
    logger.warning("booking limits not counted (Redis: %s); call let through", exc)
    return ALLOWED


@functools.cache
def _count_script():
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    return client.register_script(_COUNT_SCRIPT)


def booking_allowed(user_id: int, address: str) -> Verdict:
    now = time.time()
    rules = booking_rules(user_id, address, now)
    if not rules:
        return ALLOWED
    if not settings.REDIS_URL:
        return _verdict(rules, _process_counts.count(rules, now), now)
    calls = [tuple(rules)]
    windows = _windows_of(calls)
    try:
        keys, args = _script_args(windows)
        (counts,) = _counts_of(calls, windows, _count_script()(keys=keys, args=args))
    except REDIS_FAILURES as exc:
        return _let_through(exc)
    return _verdict(rules, counts, now)


# How the fast path's counting connections show in Redis's CLIENT LIST.
LIMITS_CLIENT_NAME = "seatmap-booking-limits"

_async_counters: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, DataLoader]" = (
    weakref.WeakKeyDictionary()
)


def _async_counter() -> DataLoader:
    """This loop's counter: the counts of the calls that reach it in one turn of the loop go to
    Redis together, in one command (aiodataloader's batching). Measured at the hot seat (1,000
    clicks at once), one round trip per call on a few pooled connections spent a quarter of the
    burst's CPU queueing for a connection (BENCHMARKS.md, issue 11)."""
    loop = asyncio.get_running_loop()
    counter = _async_counters.get(loop)
    if counter is None:
        # A burst must not open a connection per batch: a few, waited for.
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            settings.REDIS_URL,
            client_name=LIMITS_CLIENT_NAME,
            max_connections=8,
            timeout=1,
            socket_timeout=1,
            socket_connect_timeout=1,
        )
        count = redis.asyncio.Redis(connection_pool=pool).register_script(_COUNT_SCRIPT)

        async def count_batch(calls: list[tuple[Rule, ...]]) -> list[list[int]]:
            windows = _windows_of(calls)
            keys, args = _script_args(windows)
            return _counts_of(calls, windows, await count(keys=keys, args=args))

        counter = DataLoader(count_batch, cache=False, loop=loop)
        _async_counters[loop] = counter
    return counter


async def booking_allowed_async(user_id: int, address: str) -> Verdict:
    now = time.time()
    rules = booking_rules(user_id, address, now)
    if not rules:
        return ALLOWED
    if not settings.REDIS_URL:
        return _verdict(rules, _process_counts.count(rules, now), now)
    try:
        counts = await _async_counter().load(tuple(rules))
    except REDIS_FAILURES as exc:
        return _let_through(exc)
    return _verdict(rules, counts, now)


class BookingThrottle(BaseThrottle):
    """DRF's throttle for the booking views; after authentication, so a user is known."""

    def allow_request(self, request, view):
        self.verdict = booking_allowed(request.user.pk, request_client_address(request))
        return self.verdict.allowed

    def wait(self):
        return self.verdict.wait
