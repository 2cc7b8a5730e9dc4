"""Merging an event's committed changes into few frames: watchers × frames, not × clicks.

Every committed transaction is one `seats` frame on the channel layer, with its own `seq`. At
an on-sale's hundreds of commits a second, sent one by one to thousands of watchers, the
server would spend itself on deliveries (issue 21: 2,000 watchers, 262 clicks a second, half a
million deliveries a second). So each process gathers an event's frames over a short window
(`WS_COALESCE_SECONDS`) and sends one frame for them all. It stays exact (PROTOCOL.md
"Ordering and gaps"):

* a merged frame covers a contiguous `seq` range, `first_seq` to `seq`: a client whose last
  `seq` is at least `first_seq - 1` has missed nothing; a frame never spans a gap nor an
  epoch, so a client still sees every gap it would have seen frame by frame;
* a seat changed several times in the window appears once, at its highest `version`, which
  is the state it was left in;
* `ts` is the oldest commit's time in the frame, so push latency counts the window.

Pure: the caller (realtime/feed.py) owns the window's timer.
"""

from dataclasses import dataclass, field

from .protocol import seats_frame


@dataclass(slots=True)
class SeatsRun:
    """Frames of one epoch with contiguous `seq`, merged."""

    epoch: str
    first_seq: int
    seq: int
    ts: int
    changes: dict[int, dict] = field(default_factory=dict)

    def merge(self, ts: int, changes: list[dict]) -> None:
        self.ts = min(self.ts, ts)
        for change in changes:
            held = self.changes.get(change["id"])
            if held is None or change["version"] > held["version"]:
                self.changes[change["id"]] = change

    def message(self, event_id: int) -> dict:
        return seats_frame(
            event_id=event_id,
            seq=self.seq,
            first_seq=self.first_seq,
            epoch=self.epoch,
            ts=self.ts,
            changes=[self.changes[seat_id] for seat_id in sorted(self.changes)],
        )


class Coalescer:
    """One event's pending run. Frames come in `seq` order as far as reorder.py could make
    them; a late one (below the run) is merged by version, which is always safe."""

    def __init__(self):
        self.run: SeatsRun | None = None

    def add(self, seq: int, epoch: str, ts: int, changes: list[dict]) -> SeatsRun | None:
        """Take one transaction's frame. Returns the pending run when this frame cannot join
        it (a gap or a new epoch): that run must go out first."""
        run = self.run
        if run is not None and run.epoch == epoch and seq <= run.seq + 1:
            run.seq = max(run.seq, seq)
            run.merge(ts, changes)
            return None
        self.run = SeatsRun(epoch, seq, seq, ts)
        self.run.merge(ts, changes)
        return run

    def take(self) -> SeatsRun | None:
        run, self.run = self.run, None
        return run
