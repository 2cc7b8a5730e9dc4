"""An event's seat states in this process's memory, kept current by the frames it relays.

Each server process keeps the map of every event its sockets watch: each seat's state as the
last relayed change left it (status, version, hold deadline, and whose it is: held or
booked), at the event's `(epoch, seq)`. Snapshots are read from it instead of the database, and the
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
from dataclasses import dataclass, field

import orjson

from reservations.rules import effective_status

from .frames import Encoded, encoded, encoded_text
from .live_map_seat import (
    AVAILABLE,
    IN_AN_ORDER,
    LOCKED,
    LiveSeat,
    SeatState,
    changed_between,
    live_seat,
)
from .protocol import STATE_LETTER, snapshot_frame

logger = logging.getLogger("realtime.live_map")

REREAD_SECONDS = 30.0
# A view (a snapshot, the state body) is built at most this often while seats keep changing;
# the hub sets the coalescing window (the sockets' own delay).
DEFAULT_MAX_AGE = 0.1


@dataclass(frozen=True, slots=True)
class View:
    """Something built from the map at `(epoch, seq)` and its generation, shared until stale."""

    epoch: str
    seq: int
    generation: int
    committed_here: int
    built_at: float
    stale_at: float  # the first hold to end after it was built
    value: object
    # What a reader makes of `value` (`state/`'s compressed bodies, by coding): kept with the
    # view, so it goes when the view or the map goes.
    encodings: dict = field(default_factory=dict, compare=False)


# (epoch, seq, [(change, owner, label, category), ...], map version): what the database says,
# `seq` read before the seats.
Reader = Callable[[int], Awaitable[tuple[str, int, list[tuple], int]]]


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
        # (epoch, seq, changes, owners) relayed while the database is read
        self._heard_while_reading: list[tuple[str, int, list, list]] = []
        self._generation = 0  # grows with every change of a seat's state in the map
        self._committed_here = 0  # grows with every commit of this process (apply_committed)
        self._views: dict[str, View] = {}  # what is built from the map, shared: see _view
        # user id -> the seats the map shows that user holding or having booked (`holds/`)
        self._owned: dict[int, set[int]] = {}
        self.map_version: int | None = None  # the event's, when the seats were read
        # ((generation, committed here, epoch), the first hold to end after, the counts)
        self._counts: tuple[tuple, float, dict[int, tuple[int, int]]] | None = None
        self.max_age = DEFAULT_MAX_AGE
        # The seats changed since the seat list last asked (`take_changed`); None: every seat
        # (the map was read whole since, or never asked).
        self._changed: set[int] | None = None
        self.reads = 0  # how many times the seats were read from the database
        self.seat_list = None  # the seat list's chunks (seat_list.py), kept with the map

    # --- kept current -------------------------------------------------------------------------

    def apply(self, epoch: str, seq: int, changes: list[dict], owners: list) -> None:
        """One committed transaction's changes, and beside each who holds the seat, in `seq`
        order as far as the relay could."""
        if self._reading is not None:
            self._heard_while_reading.append((epoch, seq, changes, owners))
            return
        for change, owner in zip(changes, owners, strict=True):
            self._apply_seat(change, owner)
        if not self._trusted:
            return
        if epoch != self.epoch or seq > self.seq + 1:
            logger.info("event %s: gap or new epoch at %s:%s, reading", self.event_id, epoch, seq)
            self._trusted = False
            self._start_reading()
            self._heard_while_reading.append((epoch, seq, changes, owners))
            return
        self.seq = max(self.seq, seq)

    def _apply_seat(self, change: dict, owner: int | None) -> None:
        held = self.seats.get(change["id"])
        if held is None:
            return  # not read yet (or new since): the next read brings it
        if change["version"] > held.state.version:
            seat = live_seat(change, owner, held.label, held.category)
            self.seats[change["id"]] = seat
            if self._changed is not None:
                self._changed.add(change["id"])
            if held.owner != seat.owner:
                self._disown(change["id"], held.owner)
                self._own(change["id"], seat.owner)
            self._generation += 1

    def _own(self, seat_id: int, owner: int | None) -> None:
        if owner is not None:
            self._owned.setdefault(owner, set()).add(seat_id)

    def _disown(self, seat_id: int, owner: int | None) -> None:
        owned = self._owned.get(owner)
        if owned is not None:
            owned.discard(seat_id)
            if not owned:
                del self._owned[owner]

    def apply_committed(self, changes: list[dict], owners: list) -> None:
        """Changes this process has just committed, before their frame comes back through
        Redis with its `seq`: a reader answered here sees what it was just told. By version,
        so the frame later changes nothing but `seq`."""
        if self._reading is not None:  # applied after the read, by version
            self._heard_while_reading.append((self.epoch, -1, changes, owners))
        for change, owner in zip(changes, owners, strict=True):
            self._apply_seat(change, owner)
        self._committed_here += 1

    def forget(self) -> None:
        """The feed broke (frames may have been lost): read again before the next use."""
        self._trusted = False

    # --- read ---------------------------------------------------------------------------------

    async def current(self) -> "LiveMap":
        """The map, read from the database first if it cannot be trusted, and with what a
        read under way brings (what is relayed meanwhile waits for it)."""
        while not self._trusted or self._reading is not None:
            if self._reading is None:
                self._start_reading()
            await asyncio.shield(self._reading)
        return self

    @property
    def trusted(self) -> bool:
        return self._trusted

    @property
    def reading(self) -> bool:
        """A read from the database is under way (what is relayed meanwhile waits for it)."""
        return self._reading is not None

    def refresh(self) -> None:
        """Read again in the background if the last read is old; the map serves meanwhile."""
        if self._reading is None and time.monotonic() - self._read_at > REREAD_SECONDS:
            self._start_reading()

    def taken_by_other(self, seat_id: int, user_id: int, now: float) -> str | None:
        """The seat's label if the map shows it in an order (paying or reserved), or held by
        someone else with time left; None if it shows it free or the caller's, or cannot
        tell."""
        if not self._trusted:
            return None
        seat = self.seats.get(seat_id)
        if seat is None:
            return None
        status = effective_status(seat.state.status, seat.deadline, now)
        if status in IN_AN_ORDER or (status == LOCKED and seat.owner != user_id):
            return seat.label
        return None

    def holds_of(self, user_id: int, now: float) -> list[dict]:
        """The caller's running holds, as `holds/` answers them (API.md), in seat id order."""
        seats = [(seat_id, self.seats[seat_id]) for seat_id in self._owned.get(user_id, ())]
        return [
            {"id": seat_id, "locked_until": seat.state.locked_until}
            for seat_id, seat in sorted(seats, key=lambda pair: pair[0])
            if effective_status(seat.state.status, seat.deadline, now) == LOCKED
        ]

    def owned_by(self, user_id: int) -> set[int]:
        """The seats the map shows `user_id` holding or having booked (a hold may have ended)."""
        return self._owned.get(user_id, set())

    def take_changed(self) -> set[int] | None:
        """The seats whose state changed since the last call (None: any may have), and from
        now on count again: the seat list's dirty chunks (seat_list.py)."""
        changed, self._changed = self._changed, set()
        return changed

    def booked_by(self, user_id: int) -> list[int]:
        """The seats the caller has in orders (booked, or awaiting payment), as `holds/`
        answers them (API.md), in id order."""
        return sorted(
            seat_id
            for seat_id in self._owned.get(user_id, ())
            if self.seats[seat_id].state.status in IN_AN_ORDER
        )

    def own_seats(self, user_id: int, now: float) -> dict:
        """The caller's running holds and booked seats, as `holds/` answers them and the `own`
        frame tells them (API.md, PROTOCOL.md "Your own seats")."""
        return {"seats": self.holds_of(user_id, now), "booked": self.booked_by(user_id)}

    def category_counts(self, now: float) -> dict[int, tuple[int, int]] | None:
        """Each category's (seats, seats available now); None if the map cannot be trusted.
        Counted again only when a seat changed or a hold ended since (read from request
        threads too: it only reads the map, and a count is replaced whole)."""
        if not self._trusted:
            return None
        key = (self._generation, self._committed_here, self.epoch)
        cached = self._counts
        if cached is not None and cached[0] == key and now < cached[1]:
            return cached[2]
        counts: dict[int, list[int]] = {}
        for seat in list(self.seats.values()):
            count = counts.setdefault(seat.category, [0, 0])
            count[0] += 1
            if effective_status(seat.state.status, seat.deadline, now) == AVAILABLE:
                count[1] += 1
        result = {category: (total, free) for category, (total, free) in counts.items()}
        self._counts = (key, self._next_hold_end(now), result)
        return result

    async def snapshot(
        self, not_before: tuple[str, int] | None, compact: bool = False
    ) -> tuple[str, int, Encoded]:
        """The `snapshot` frame (`compact`: the `state` frame, PROTOCOL.md's snapshot in
        `state/`'s form): encoded once and shared by every socket asking within a window, as
        long as it holds every frame sent to the sockets (`not_before`: the last)."""
        await self.current()
        name = "state_frame" if compact else "snapshot"
        build = self._state_frame if compact else self._snapshot_frame
        view = self._view(name, not_before, build)
        return view.epoch, view.seq, view.value

    async def state(self, not_before: tuple[str, int] | None = None) -> "View":
        """`state/`'s body (API.md), built at most once a window: never older than what the
        sockets have been sent (`not_before`: the last)."""
        await self.current()
        return self._view("state", not_before, self._state_body)

    def view(self, name: str, build) -> "View":
        """`build(now)` of the map as it stands (call after `current`), shared as `state/`'s
        body is: never older than what the sockets have been sent."""
        return self._view(name, None, build)

    def forget_view(self, name: str) -> None:
        self._views.pop(name, None)

    def _view(self, name: str, not_before: tuple[str, int] | None, build) -> "View":
        now = time.time()
        view = self._views.get(name)
        if view is not None and view.epoch == self.epoch and now < view.stale_at:
            covers = not_before is None or (
                not_before[0] == view.epoch and view.seq >= not_before[1]
            )
            current = view.generation == self._generation and view.seq == self.seq
            # A change that came through Redis may wait a window, as it does for the sockets;
            # one committed here may not: its caller may be the next reader.
            recent = (
                now - view.built_at < self.max_age and view.committed_here == self._committed_here
            )
            if covers and (current or recent):
                return view
        view = self._views[name] = View(
            self.epoch,
            self.seq,
            self._generation,
            self._committed_here,
            now,
            self._next_hold_end(now),
            build(now),
        )
        return view

    # --- what the map is written as, at `now` (a hold that has ended shows as available) ------

    def _snapshot_frame(self, now: float) -> Encoded:
        seats = [_public(seat, now) for seat in self.seats.values()]
        return encoded(
            snapshot_frame(event_id=self.event_id, seq=self.seq, epoch=self.epoch, seats=seats)
        )

    def _state_frame(self, now: float) -> Encoded:
        return encoded_text('{"type":"state",' + self._state_body(now).decode()[1:])

    def _state_body(self, now: float) -> bytes:
        letters, versions, until = [], [], {}
        for seat_id, seat in self.seats.items():
            state = seat.state
            status = effective_status(state.status, seat.deadline, now)
            if status == LOCKED:
                until[str(seat_id)] = state.locked_until
            letters.append(STATE_LETTER[status])
            versions.append(state.version)
        return orjson.dumps(
            {
                "event_id": self.event_id,
                "epoch": self.epoch,
                "seq": self.seq,
                "seats_total": len(versions),
                "status": "".join(letters),
                "version": versions,
                "locked_until": until,
            }
        )

    def _next_hold_end(self, now: float) -> float:
        # Until then the view is right; after it, a hold that ended shows as available.
        return min(
            (
                s.deadline
                for s in self.seats.values()
                if effective_status(s.state.status, s.deadline, now) == LOCKED
            ),
            default=float("inf"),
        )

    # --- the one read at a time ---------------------------------------------------------------

    def _start_reading(self) -> None:
        self._heard_while_reading = []
        self._reading = asyncio.ensure_future(self._read_once())

    async def _read_once(self) -> None:
        try:
            self._read_at = time.monotonic()
            epoch, seq, rows, map_version = await self._read(self.event_id)
            before = self.seats
            self.seats = {change["id"]: live_seat(change, *about) for change, *about in rows}
            self.reads += 1
            self._changed = changed_between(before, self.seats, self._changed)
            self._owned = {}
            for seat_id, seat in self.seats.items():
                self._own(seat_id, seat.owner)
            self.map_version = map_version
            self.epoch, self.seq = epoch, seq
            self._generation += 1
            # What was relayed while the database was read: newer versions win, and its `seq`
            # says whether anything is missing after the read's.
            trusted = True
            for heard_epoch, heard_seq, changes, owners in self._heard_while_reading:
                for change, owner in zip(changes, owners, strict=True):
                    self._apply_seat(change, owner)
                if heard_seq < 0:  # committed here: its frame is still to come
                    continue
                if heard_epoch != epoch:
                    trusted = False  # a new epoch began while reading: read again
                elif heard_seq <= self.seq + 1:
                    self.seq = max(self.seq, heard_seq)
                else:
                    trusted = False
            self._trusted = trusted
        finally:
            self._reading = None
            self._heard_while_reading = []


def _public(seat: LiveSeat, now: float) -> SeatState:
    state = seat.state
    if effective_status(state.status, seat.deadline, now) != state.status:  # ended
        return SeatState(state.id, AVAILABLE, state.version, None)
    return state
