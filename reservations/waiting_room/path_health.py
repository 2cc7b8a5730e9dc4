"""Whether the booking path is slow for an event, as the tick slows its admission for it (API.md
"Waiting room"): the event's hold calls (lock, lock several, best available) of the last
HEALTH_WINDOW_SECONDS, with their time and status, on both paths, and every call's wait for a
database connection (the pool is every event's). A hot seat on one event slows that event's
room, not every room.

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

from reservations.redis_primary import client as redis_client

HEALTH_WINDOW_SECONDS = 10.0
# A wait for a pooled database connection longer than this counts as a pool wait.
POOL_WAIT_SECONDS = 0.05
_KEY = "queue:path-health"
_PROCESS = f"{os.uname().nodename}:{os.getpid()}"

_calls: deque[tuple[float, float, int, int]] = deque(maxlen=20_000)  # at, seconds, status, event
_pool_waits: deque[float] = deque(maxlen=20_000)
_lock = threading.Lock()


def hold_answered(seconds: float, status: int, event_id: int) -> None:
    """One hold call's answer: how long it took, its status, and its event."""
    with _lock:
        _calls.append((time.monotonic(), seconds, status, event_id))


def connection_waited(seconds: float) -> None:
    """A booking call's wait for a pooled database connection."""
    if seconds > POOL_WAIT_SECONDS:
        with _lock:
            _pool_waits.append(time.monotonic())


def summary() -> dict:
    """This process's window: per event ("events", by id as text) hold p95 (ms) and 5xx
    answers; pool waits."""
    since = time.monotonic() - HEALTH_WINDOW_SECONDS
    with _lock:
        recent = [call for call in _calls if call[0] >= since]
        waits = sum(1 for at in _pool_waits if at >= since)
    by_event: dict[int, list[tuple[float, int]]] = {}
    for _, seconds, status, event_id in recent:
        by_event.setdefault(event_id, []).append((seconds, status))
    events = {}
    for event_id, calls in by_event.items():
        times = sorted(seconds for seconds, _ in calls)
        events[str(event_id)] = {
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))] * 1000, 1),
            "errors": sum(1 for _, status in calls if status >= 500),
        }
    return {"events": events, "pool_waits": waits, "at": time.time()}


def is_slow(health: dict, event_id: int) -> bool:
    event = health["events"].get(str(event_id), {"p95_ms": 0.0, "errors": 0})
    return (
        event["p95_ms"] > settings.QUEUE_SLOW_HOLD_MS
        or event["errors"] > 0
        or health["pool_waits"] > 0
    )


def share_this_process() -> None:
    if not settings.REDIS_URL:
        return
    try:
        client = redis_client()
        client.hset(_KEY, _PROCESS, json.dumps(summary()))
        client.expire(_KEY, 60)
    except redis.RedisError:
        pass  # the tick pauses admission itself when Redis is away


def slow_now(event_id: int) -> bool:
    """Whether any server process's booking path is slow for the event now (this one's as it
    stands)."""
    if is_slow(summary(), event_id) or not settings.REDIS_URL:
        return is_slow(summary(), event_id)
    try:
        shared = redis_client().hgetall(_KEY)
    except redis.RedisError:
        return False
    fresh = time.time() - 2 * HEALTH_WINDOW_SECONDS
    healths = (json.loads(value) for value in shared.values())
    fresh_ones = (health for health in healths if health["at"] >= fresh and "events" in health)
    return any(is_slow(health, event_id) for health in fresh_ones)


def forget() -> None:
    """Drop this process's window and every process's shared one (tests: a slow race in one
    test must not slow admission in the next)."""
    with _lock:
        _calls.clear()
        _pool_waits.clear()
    redis_client().delete(_KEY)
