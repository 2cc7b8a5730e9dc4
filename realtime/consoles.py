"""The organisers' consoles among an event's sockets on this process (PROTOCOL.md "The
organiser's console"): each gets every committed transaction's frame at once, unmerged, from a
feed of its own with no window, besides the merged frames every watcher gets (their duplicates
its client drops, PROTOCOL.md "Ordering and gaps"). So a console follows a click however many
buyers watch. A feed lives while its event has a console here."""

from collections.abc import Callable

from .feed import EventFeed


class Consoles:
    def __init__(self, too_slow: Callable[[object], None]):
        self._too_slow = too_slow  # the hub's rule for a socket that cannot keep up
        self.sockets: dict[int, set] = {}
        self._feeds: dict[int, EventFeed] = {}

    def watch(self, watcher) -> None:
        self.sockets.setdefault(watcher.event_id, set()).add(watcher)

    def stop(self, watcher) -> None:
        consoles = self.sockets.get(watcher.event_id)
        if consoles is None:
            return
        consoles.discard(watcher)
        if not consoles:
            del self.sockets[watcher.event_id]
            if (feed := self._feeds.pop(watcher.event_id, None)) is not None:
                feed.close()

    def committed(self, event_id: int, seq: int, epoch: str, ts: int, changes: list) -> None:
        """One transaction's frame, to the event's consoles here (if any) at once."""
        if event_id not in self.sockets:
            return
        feed = self._feeds.get(event_id)
        if feed is None:
            feed = self._feeds[event_id] = EventFeed(
                event_id, lambda: self.sockets.get(event_id, ()), self._too_slow, lambda: 0.0
            )
        feed.add(seq, epoch, ts, changes)

    def close(self) -> None:
        """Every feed ended and every console forgotten (the layer failed, the hub closes)."""
        for feed in self._feeds.values():
            feed.close()
        self._feeds.clear()
        self.sockets.clear()
