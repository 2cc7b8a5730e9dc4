"""The client's seat model of PROTOCOL.md, as a small pure object: the tests' oracle of what
a client that follows the protocol ends up showing (test_coalesce.py holds merged frames to it).
No client runs it: the React client (frontend/src/features/seat-map/model/) and the load tester
keep the same rules their own way:

* a change applies only when its `version` is above the one held for that seat, so a late or
  repeated message never turns a seat back;
* a `seq` already seen is a duplicate and is dropped;
* a message covers the transactions `first_seq` to `seq` (one, when `first_seq` is absent); a
  `first_seq` more than one above the last `seq`, or a new `epoch`, means messages were lost:
  the model says it needs a snapshot (and ignores further messages until it gets one).
"""

from dataclasses import dataclass, field


@dataclass
class SeatState:
    status: str
    version: int
    locked_until: str | None = None


@dataclass
class SeatModel:
    seats: dict[int, SeatState] = field(default_factory=dict)
    epoch: str | None = None
    seq: int = 0
    needs_snapshot: bool = True

    def apply_snapshot(self, message: dict) -> None:
        self.epoch = message["epoch"]
        self.seq = message["seq"]
        for seat in message["seats"]:
            self._apply_seat(seat)
        self.needs_snapshot = False

    def apply_seats(self, message: dict) -> bool:
        """Apply a `seats` message; False when it shows a gap and a snapshot is needed."""
        if self.needs_snapshot:
            # Versions still make a change safe to apply while the snapshot is on its way.
            for change in message["changes"]:
                self._apply_seat(change)
            return False
        if message["epoch"] != self.epoch:
            self.needs_snapshot = True
            return False
        if message["seq"] <= self.seq:
            return True  # a duplicate, or older than the snapshot: already in the model
        gap = message.get("first_seq", message["seq"]) > self.seq + 1
        for change in message["changes"]:
            self._apply_seat(change)
        if gap:
            self.needs_snapshot = True
            return False
        self.seq = message["seq"]
        return True

    def apply(self, message: dict) -> bool:
        kind = message.get("type")
        if kind == "snapshot":
            self.apply_snapshot(message)
            return True
        if kind == "seats":
            return self.apply_seats(message)
        return True

    def _apply_seat(self, seat: dict) -> None:
        current = self.seats.get(seat["id"])
        if current is None or seat["version"] > current.version:
            self.seats[seat["id"]] = SeatState(
                seat["status"], seat["version"], seat.get("locked_until")
            )

    def as_dict(self) -> dict[int, tuple[str, int]]:
        return {seat_id: (s.status, s.version) for seat_id, s in self.seats.items()}
