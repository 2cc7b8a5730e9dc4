"""The seat list as an anonymous watcher sees it, built once per event per moment.

A 10,000-seat list is 1.5 MB of JSON; built for every anonymous request, a crowd opening an
event's page (or one script polling it) costs a query and its encoding each time. Anonymous
answers are the same for everyone, so each process keeps the encoded list for
SEAT_LIST_CACHE_SECONDS (1). A list that old is safe: every seat carries its version, and a
client keeps the newer of the list and what the socket pushed (docs/PROTOCOL.md). Logged-in
callers are not cached: their list says which holds are theirs.
"""

import threading
import time
from collections.abc import Callable

import orjson
from cachetools import TLRUCache
from django.conf import settings


def _until(_event_id, _body, now: float) -> float:
    return now + settings.SEAT_LIST_CACHE_SECONDS


_lists: TLRUCache[int, bytes] = TLRUCache(maxsize=256, ttu=_until, timer=time.monotonic)
_lock = threading.Lock()  # cachetools' caches are not safe across threads by themselves


def anonymous_seat_list(event_id: int, build: Callable[[], dict]) -> bytes:
    """The encoded list of `build()`, at most SEAT_LIST_CACHE_SECONDS old."""
    with _lock:
        cached = _lists.get(event_id)
    if cached is not None:
        return cached
    body = orjson.dumps(build())
    if settings.SEAT_LIST_CACHE_SECONDS > 0:
        with _lock:
            _lists[event_id] = body
    return body


def forget_all() -> None:
    """Empty the cache (tests)."""
    with _lock:
        _lists.clear()
