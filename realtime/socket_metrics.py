"""What the sockets' side tells the metrics (reservations/metrics.py): each kind of frame as it
is encoded and handed to sockets, a seats frame's push lag, and the open sockets of an event.
The hub, the feeds, the waiting room's frames and the consumer count through these, so each
metric's labels are written once."""

import time

from reservations.metrics import deliveries, frames, multiprocess_dir, push_lag, sockets_open


class FramesOut:
    """One type of frame: how many were encoded (once per process) and handed to sockets."""

    def __init__(self, kind: str):
        self._frames, self._deliveries = frames.labels(kind), deliveries.labels(kind)

    def encoded(self) -> None:
        self._frames.inc()

    def delivered(self, sockets: int) -> None:
        self._deliveries.inc(sockets)

    def sent(self, sockets: int) -> None:
        """A frame encoded and handed to `sockets` at once."""
        self.encoded()
        self.delivered(sockets)


SEATS, OWN, PRESENCE, QUEUE = (FramesOut(kind) for kind in ("seats", "own", "presence", "queue"))
# A snapshot is built per socket (its seats as of its connect): deliveries only.
SNAPSHOTS = FramesOut("snapshot")


def seats_pushed(ts_ns: int) -> None:
    """A seats frame's fan-out ended: the lag from its oldest change's commit (`ts`)."""
    push_lag.observe(time.time() - ts_ns / 1e9)


def sockets_now(event_id: int, *, watching: int, waiting: int) -> None:
    """The event's open sockets in this process, as they are now."""
    event = str(event_id)
    sockets_open.labels(event, "watching").set(watching)
    sockets_open.labels(event, "waiting").set(waiting)


def sockets_gone(event_id: int) -> None:
    """The event has no sockets in this process any more, and none are expected: its series
    go (their label values would otherwise stay for the life of the process). In multiprocess
    mode prometheus-client cannot remove one; it stays at 0 in this process's file."""
    if multiprocess_dir() is not None:
        return
    event = str(event_id)
    for state in ("watching", "waiting"):
        sockets_open.remove(event, state)
