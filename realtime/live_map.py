"""An event's seat states in this process's memory, kept current by the frames it relays.

Each server process keeps the map of every event its sockets watch: each seat's state as the
last relayed change left it (status, version, hold deadline and, for a hold, its holder), at
the event's `(epoch, seq)`. Snapshots are read from it instead of the database, and the
fast path refuses a click on a seat it shows taken without a transaction (hot seat).

It is read from the database when it cannot be trusted: when it is first needed, after a gap
in `seq` or a new epoch, after the feed broke. One read per event at a time; everyone else
waits for that one. It is also read again every REREAD_SECONDS while it serves on (`refresh`):
a frame lost with nothing after it (a publish that failed after its commit) shows no gap.
A read takes `seq` first and the seats after, so it holds every change up to that `seq`;
changes relayed while it runs are applied on top by `version`, which is always safe (a seat's
`version` only grows), and their `seq` range tells whether anything is missing after it.

The map may lag the database by the time a frame takes to come back through Redis (a few
milliseconds): anything read from it is an answer someone would have had a moment earlier.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import orjson

from .frames import Encoded, encoded_text

logger = logging.getLogger("realtime.live_map")

REREAD_SECONDS = 30.0

LOCKED = "locked"
RESERVED = "reserved"
AVAILABLE = "available"


@dataclass(slots=True)
class LiveSeat:
    change: dict  # as PROTOCOL.md sends it: id, status, version, locked_until
    deadline: float | None  # the hold's end, epoch seconds
    holder: int | None
    label: str


def _deadline(change: dict) -> float | None:
    until = change.get("locked_until")
    return datetime.fromisoformat(until).timestamp() if until else None


def live_seat(change: dict, holder: int | None, label: str) -> LiveSeat:
    return LiveSeat(
        change, _deadline(change), holder if change["status"] == LOCKED else None, label
    )


# (epoch, seq, [(change, holder, label), ...]): what the database says, `seq` read before the
# seats.
Reader = Callable[[int], Awaitable[tuple[str, int, list[tuple[dict, int | None, str]]]]]


class LiveMap:
    def __init__(self, event_id: int, read: Reader):
        self.event_id = event_id
        self._read = read
        self.seats: dict[int, LiveSeat] = {}
        self.epoch: str | None = None
        self.seq = 0
        self._trusted = False
        self._reading: asyncio.Future | None = None
        self._read_at = 0.0  # time.monotonic() of the last read
        self._heard_while_reading: list[tuple[str, int, int]] = []  # (epoch, first, last)
        # ((epoch, seq), the first hold to end after it was built, the frame)
        self._snapshot: tuple[tuple[str, int], float, Encoded] | None = None

    # --- kept current -------------------------------------------------------------------------

    def apply(self, epoch: str, seq: int, changes: list[dict], holders: list) -> None:
        """One committed transaction's changes, and beside each who holds the seat, in `seq`
        order as far as the relay could."""
        for change, holder in zip(changes, holders, strict=True):
            self._apply_seat(change, holder)
        if self._reading is not None:
            self._heard_while_reading.append((epoch, seq, seq))
            return
        if not self._trusted:
            return
        if epoch != self.epoch or seq > self.seq + 1:
            logger.info("event %s: gap or new epoch at %s:%s, reading", self.event_id, epoch, seq)
            self._trusted = False
            self._start_reading()
            self._heard_while_reading.append((epoch, seq, seq))
            return
        self.seq = max(self.seq, seq)

    def _apply_seat(self, change: dict, holder: int | None) -> None:
        held = self.seats.get(change["id"])
        if held is None:
            return  # not read yet (or new since): the next read brings it
        if change["version"] > held.change["version"]:
            self.seats[change["id"]] = live_seat(change, holder, held.label)

    def forget(self) -> None:
        """The feed broke (frames may have been lost): read again before the next use."""
        self._trusted = False

    # --- read ---------------------------------------------------------------------------------

    async def current(self) -> "LiveMap":
        """The map, read from the database first if it cannot be trusted."""
        while not self._trusted:
            if self._reading is None:
                self._start_reading()
            await asyncio.shield(self._reading)
        return self

    @property
    def trusted(self) -> bool:
        return self._trusted

    def refresh(self) -> None:
        """Read again in the background if the last read is old; the map serves meanwhile."""
        if self._reading is None and time.monotonic() - self._read_at > REREAD_SECONDS:
            self._start_reading()

    def taken_by_other(self, seat_id: int, user_id: int, now: float) -> str | None:
        """The seat's label if the map shows it reserved, or held by someone else with time
        left; None if it shows it free or the caller's, or cannot tell."""
        if not self._trusted:
            return None
        seat = self.seats.get(seat_id)
        if seat is None:
            return None
        status = seat.change["status"]
        if status == RESERVED or (
            status == LOCKED and seat.holder != user_id and (seat.deadline or 0) > now
        ):
            return seat.label
        return None

    async def snapshot(self, not_before: tuple[str, int] | None) -> tuple[str, int, Encoded]:
        """The `snapshot` frame at the map's `seq`, encoded once and shared by every socket
        asking until a frame after it has gone out (`not_before`: the last one sent)."""
        await self.current()
        cached = self._snapshot
        if cached is not None:
            (epoch, seq), stale_at, frame = cached
            fresh = not_before is None or (epoch == not_before[0] and seq >= not_before[1])
            # A hold that ended since shows as available in a new one.
            if fresh and epoch == self.epoch and time.time() < stale_at:
                return epoch, seq, frame
        now = time.time()
        seats = [self._public(seat, now) for _, seat in sorted(self.seats.items())]
        stale_at = min(
            (
                s.deadline
                for s in self.seats.values()
                if s.deadline is not None and s.deadline > now and s.change["status"] == LOCKED
            ),
            default=float("inf"),
        )
        text = orjson.dumps(
            {
                "type": "snapshot",
                "event_id": self.event_id,
                "seq": self.seq,
                "epoch": self.epoch,
                "seats": seats,
            }
        ).decode()
        frame = encoded_text(text)
        self._snapshot = ((self.epoch, self.seq), stale_at, frame)
        return self.epoch, self.seq, frame

    @staticmethod
    def _public(seat: LiveSeat, now: float) -> dict:
        change = seat.change
        if change["status"] == LOCKED and (seat.deadline or 0) <= now:
            return {**change, "status": AVAILABLE, "locked_until": None}
        return change

    # --- the one read at a time ---------------------------------------------------------------

    def _start_reading(self) -> None:
        self._heard_while_reading = []
        self._reading = asyncio.ensure_future(self._read_once())

    async def _read_once(self) -> None:
        try:
            self._read_at = time.monotonic()
            epoch, seq, rows = await self._read(self.event_id)
            seats = {change["id"]: live_seat(change, *who) for change, *who in rows}
            # Changes relayed while the database was read: newer versions win.
            for seat_id, seat in self.seats.items():
                if seat_id in seats and seat.change["version"] > seats[seat_id].change["version"]:
                    seats[seat_id] = seat
            self.seats = seats
            self.epoch, self.seq = epoch, seq
            trusted = True
            for heard_epoch, first, last in self._heard_while_reading:
                if heard_epoch != epoch:
                    trusted = False  # a new epoch began while reading: read again
                elif first <= self.seq + 1:
                    self.seq = max(self.seq, last)
                else:
                    trusted = False
            self._trusted = trusted
            self._snapshot = None
        finally:
            self._reading = None
            self._heard_while_reading = []
