"""Whether the booking path is slow, as the tick slows admission for it (API.md "Waiting room"):
hold calls (lock, lock several, best available) of the last HEALTH_WINDOW_SECONDS, with their
time, status and the wait for a database connection, on both paths.

Each server process keeps its own window and shares a summary in Redis every tick (a hash, one
field per process); the ticking process reads every fresh summary, so a slow process anywhere
slows the calls.
"""

import json
import os
import threading
import time
from collections import deque

import redis
from django.conf import settings

from reservations.redis_shards import home_client

HEALTH_WINDOW_SECONDS = 10.0
# A wait for a pooled database connection longer than this counts as a pool wait.
POOL_WAIT_SECONDS = 0.05
_KEY = "queue:path-health"
_PROCESS = f"{os.uname().nodename}:{os.getpid()}"

_calls: deque[tuple[float, float, int]] = deque(maxlen=20_000)
_pool_waits: deque[float] = deque(maxlen=20_000)
_lock = threading.Lock()


def hold_answered(seconds: float, status: int) -> None:
    """One hold call's answer: how long it took and its status."""
    with _lock:
        _calls.append((time.monotonic(), seconds, status))


def connection_waited(seconds: float) -> None:
    """A booking call's wait for a pooled database connection."""
    if seconds > POOL_WAIT_SECONDS:
        with _lock:
            _pool_waits.append(time.monotonic())


def summary() -> dict:
    """This process's window: hold p95 (ms), 5xx answers and pool waits."""
    since = time.monotonic() - HEALTH_WINDOW_SECONDS
    with _lock:
        recent = [call for call in _calls if call[0] >= since]
        waits = sum(1 for at in _pool_waits if at >= since)
    times = sorted(seconds for _, seconds, _ in recent)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000 if times else 0.0
    return {
        "p95_ms": round(p95, 1),
        "errors": sum(1 for _, _, status in recent if status >= 500),
        "pool_waits": waits,
        "at": time.time(),
    }


def is_slow(health: dict) -> bool:
    return (
        health["p95_ms"] > settings.QUEUE_SLOW_HOLD_MS
        or health["errors"] > 0
        or health["pool_waits"] > 0
    )


def share_this_process() -> None:
    if not settings.REDIS_URL:
        return
    try:
        client = home_client()
        client.hset(_KEY, _PROCESS, json.dumps(summary()))
        client.expire(_KEY, 60)
    except redis.RedisError:
        pass  # the tick pauses admission itself when Redis is away


def slow_now() -> bool:
    """Whether any server process's booking path is slow now (this one's as it stands)."""
    if is_slow(summary()) or not settings.REDIS_URL:
        return is_slow(summary())
    try:
        shared = home_client().hgetall(_KEY)
    except redis.RedisError:
        return False
    fresh = time.time() - 2 * HEALTH_WINDOW_SECONDS
    healths = (json.loads(value) for value in shared.values())
    return any(is_slow(health) for health in healths if health["at"] >= fresh)


def forget() -> None:
    """Drop this process's window and every process's shared one (tests: a slow race in one
    test must not slow admission in the next)."""
    with _lock:
        _calls.clear()
        _pool_waits.clear()
    home_client().delete(_KEY)
