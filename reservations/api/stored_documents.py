"""Each process's encoded documents (the seat map, the layout: map_document.py; the draw's
proof: queue_views.py), kept in memory and bounded by bytes, the least recently used out first.

Bounded by bytes, not entries: a season's documents range from a few kilobytes (a small grid)
to 1.3 MB (the arena's map in three codings), so a count of entries either thrashes past ~50
arenas or holds far more than the machine meant to give. `DOCUMENTS_CACHE_BYTES` is what the
process may spend on them; a document larger than that is served and not kept.

A key names one version of a document, which never changes: nothing expires but by size.
"""

import threading
from typing import Any

from cachetools import LRUCache
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
    """A least-recently-used store bounded by `stored_size`, safe across a process's threads
    (cachetools' caches are not)."""

    def __init__(self, max_bytes: int):
        self._cache: LRUCache[str, Any] = LRUCache(maxsize=max_bytes, getsizeof=stored_size)
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            return self._cache.get(key)

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            if stored_size(value) <= self._cache.maxsize:
                self._cache[key] = value

    @property
    def bytes_used(self) -> int:
        return self._cache.currsize


_store: DocumentStore | None = None


def documents() -> DocumentStore:
    """This process's store, sized by the settings (made again if they change: tests do)."""
    global _store
    if _store is None or _store._cache.maxsize != settings.DOCUMENTS_CACHE_BYTES:
        _store = DocumentStore(settings.DOCUMENTS_CACHE_BYTES)
    return _store
