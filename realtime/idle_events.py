"""Which events a server process lets go of: per-process state lives while it is used
(issue 36; Centrifugo's node leaves a channel a moment after its last local subscriber).

For each event it serves, a process holds its live map (every seat's state, read again every
30 s), its feed (the last frames, for resuming sockets), its own-seat and presence bookkeeping,
its waiting room's last frame, and its group on the channel layer. An event is in use while a
socket of this process watches it or waits in its room; a read (`state/`, `holds/`) uses it
at that moment. `LIVE_EVENT_IDLE_SECONDS` after its last use the hub lets go of all of it
(hub.py `forget_idle`); a socket or a read that comes later starts afresh from the database, as
the first one did. So what a process holds grows with the events in use, not with its history.

Pure bookkeeping: the caller passes the clock and says what it holds and what is in use; and
what was let go of given back to the system (`give_back_memory`).
"""

import ctypes
import gc
from collections.abc import Collection, Iterable

# How often the hub asks which events have gone idle: they go at most this late.
SWEEP_SECONDS = 1.0

# glibc keeps what the process frees in its heaps: a map freed below memory still in use is not
# returned. malloc_trim returns glibc's free pages; other C libraries have none.
_libc = ctypes.CDLL(None)
_malloc_trim = getattr(_libc, "malloc_trim", None)
_mallopt = getattr(_libc, "mallopt", None)
# glibc maps a block apart from its heaps from this size on, and returns it whole when it is
# freed. Its own threshold rises to the largest mapped block freed (up to 32 MiB): after an
# arena's first snapshot, its maps' buffers came from the heaps and stayed behind what was
# allocated after them (BENCHMARKS.md, the season).
M_MMAP_THRESHOLD = -3
MAPPED_APART_FROM = 128 * 1024


def map_large_blocks_apart() -> None:
    """Once, at the server's start (config/asgi.py): large blocks are given back when freed."""
    if _mallopt is not None:
        _mallopt(M_MMAP_THRESHOLD, MAPPED_APART_FROM)


def give_back_memory() -> None:
    # Freed first: what the events let go of keep in reference cycles (tasks, futures and their
    # maps) waits for a full collection otherwise, which a process at rest may never run. It
    # walks what is not frozen (config/asgi.py): ~10,000 objects at rest, under a millisecond.
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)


class IdleEvents:
    def __init__(self):
        self._used_at: dict[int, float] = {}  # event id -> its last use (time.monotonic())

    def used(self, event_id: int, now: float) -> None:
        """Something read the event now (a socket's use is seen by `idle` itself)."""
        self._used_at[event_id] = now

    def idle(
        self, held: Iterable[int], in_use: Collection[int], now: float, idle_after: float
    ) -> list[int]:
        """The events held (or used) whose last use is `idle_after` seconds old or more, each
        named once: the caller lets go of them. One in use counts as used now; one held with no
        use on record (kept by something that came late) counts from now."""
        idle = []
        for event_id in set(held) | self._used_at.keys():
            if event_id in in_use:
                self._used_at[event_id] = now
            elif now - self._used_at.setdefault(event_id, now) >= idle_after:
                idle.append(event_id)
        for event_id in idle:
            del self._used_at[event_id]
        return idle

    def __len__(self) -> int:
        """Events with a use on record."""
        return len(self._used_at)
