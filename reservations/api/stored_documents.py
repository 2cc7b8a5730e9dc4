"""Each process's encoded documents (the seat map, the layout: map_document.py; the draw's
proof: queue_views.py), kept in memory while they are used, bounded by bytes.

Bounded by bytes, not entries: a season's documents range from a few kilobytes (a small grid)
to 1.3 MB (the arena's map in three codings), so a count of entries either thrashes past ~50
arenas or holds far more than the machine meant to give. `DOCUMENTS_CACHE_BYTES` is what the
process may spend on them, the least recently used out first; a document larger than that is
served and not kept.

Kept while used: a document nobody asked for in `LIVE_EVENT_IDLE_SECONDS` goes, as the rest of
what the process holds for an event does (realtime/idle_events.py), whether or not anything
else is asked meanwhile: a process at rest holds none of a past event's documents. A key names
one version of a document, which never changes.
"""

import threading
import time
from typing import Any

from cachetools import TTLCache
from django.conf import settings

from .content_coding import Encoded

# A stored value's own overhead beside its bodies (the key, the tags, the entry).
_ENTRY_BYTES = 512


def stored_size(value: Any) -> int:
    """The bytes a value is counted for: its bodies, and a little for the rest."""
    if isinstance(value, Encoded):
        return sum(map(len, value.bodies.values())) + _ENTRY_BYTES
    return len(value) + _ENTRY_BYTES


class DocumentStore:
    """A store bounded by `stored_size`, the least recently used out first, where what is not
    asked for in `idle_seconds` goes; safe across a process's threads (cachetools' caches are
    not). While it holds anything, a timer lets the unused go (at most 1.25 x `idle_seconds`
    after their last use), with no request needed."""

    def __init__(self, max_bytes: int, idle_seconds: float):
        self._cache: TTLCache[str, Any] = TTLCache(
            maxsize=max_bytes, ttl=idle_seconds, timer=time.monotonic, getsizeof=stored_size
        )
        self._lock = threading.Lock()
        self._sweep: threading.Timer | None = None

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._cache.get(key)
            if value is not None:
                self._cache[key] = value  # used: it stays another `idle_seconds`
            return value

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            if stored_size(value) <= self._cache.maxsize:
                self._cache[key] = value
                self._sweep_later()

    def _sweep_later(self) -> None:
        if self._sweep is None and self._cache:
            self._sweep = threading.Timer(self._cache.ttl / 4, self._swept)
            self._sweep.daemon = True
            self._sweep.start()

    def _swept(self) -> None:
        with self._lock:
            self._sweep = None
            self._cache.expire()
            self._sweep_later()

    @property
    def bytes_used(self) -> int:
        return self._cache.currsize


_store: DocumentStore | None = None


def documents() -> DocumentStore:
    """This process's store, sized by the settings (made again if they change: tests do)."""
    global _store
    wanted = (settings.DOCUMENTS_CACHE_BYTES, settings.LIVE_EVENT_IDLE_SECONDS)
    if _store is None or (_store._cache.maxsize, _store._cache.ttl) != wanted:
        _store = DocumentStore(*wanted)
    return _store
