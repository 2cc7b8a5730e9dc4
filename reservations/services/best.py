"""Best available on the database: the picker's choice (reservations/seating) held for a buyer.

Written once as steps (holds.py says what steps are), so the same rules run through Django
(``best_hold``) and on the fast path's loop (reservations/api/fast.py). Many buyers ask at once
in an on-sale, and they must not all pick the same block and fail. So, in one transaction:

1. the event's orphan mode (and the price category asked for), then the caller's row
   (locking rule 2);
2. which seats are taken, as committed (no locks; an indexed read of the taken seats only),
   which of them the caller holds, for the hold limit on all `count` seats (under the user row
   lock the caller's live holds cannot grow, so it is checked once, before any seat is
   chosen), and the picker's best few candidates, which share no seat, from the event's room kept in
   this process (``Shelf``): the room's layout is read once per ROOM_SECONDS, its free flags
   from that read, less the seats another request of this process has just chosen (its
   *claims*), so buyers served by one process never pick the same seats;
3. for each candidate in turn, under a savepoint, one statement (``sql.hold_block``): its seat
   rows that are free ``FOR UPDATE SKIP LOCKED`` in id order, and the hold written only if
   that is all of them. A row another buyer has locked is skipped rather than waited for: the
   candidate is then gone, the savepoint is rolled back (which lets go of the rows it did
   lock), and the next candidate is tried at once. The statement's clock is read before the
   locks, so, like the one-statement hold of one seat, it can only refuse more than the rule;
4. when every candidate is gone, read the taken seats again (the room has changed) and repeat,
   a bounded number of times; then 409 ``no_block``.

Ties are broken by a seed of the buyer's own, so buyers with equal wishes spread over equal
blocks. The seats held are announced as one `seats` message after commit, and they are what
reserve books: nothing here is chosen again later.

The room must be on the shelf before the steps run (``room_steps``, which the drivers run once
per event and ROOM_SECONDS, one request at a time): building a theatre's room costs ~25 ms,
and a rush of buyers arriving at a cold process must not each build it.
"""

import json
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..exceptions import NoBlock, NotFound
from ..models import Seat
from ..seating import Candidate, Request, Room
from ..seating import candidates as picker_candidates
from ..signals import seats_changed_on_commit
from . import sql
from .holds import caller_row_steps, hold_limit_check, lock_deadline, seat_from_row
from .places import seat_infos
from .runner import run
from .sql import Steps

# Candidates tried per read of the taken seats, and reads before the buyer is told nothing fits.
CANDIDATES = 8
READS = 5
# How long a room's layout (positions, categories, accessibility) is kept before it is read
# again: an organiser may move seats between categories.
ROOM_SECONDS = 30.0
# How long seats a request of this process chose stay out of its other requests' rooms: long
# enough for the transaction that holds them to commit, after which the taken read has them.
CLAIM_SECONDS = 2.0
# Rooms kept per process; the one read longest ago makes way.
SHELVES = 64


@dataclass(frozen=True)
class BestOutcome:
    seats: list[Seat]  # held for the caller, in the block's order along its row(s)
    together: bool  # all side by side in one row
    alternatives: list[tuple[int, ...]]  # other free blocks the buyer could take instead

    @property
    def changed(self) -> list[Seat]:
        """What watchers are told: every seat held."""
        return self.seats


class Shelf:
    """One event's room in this process: the layout as last read, and the seats its requests
    have claimed. Shared by the threads of Django's path and the fast path's loop."""

    def __init__(self, room: Room) -> None:
        self.room = room  # the layout, with the free flags of the last request's view
        self.read_at = time.monotonic()
        self._busy = {seat.id for seat in room.seats if not seat.free}  # in `room`
        self._claims: dict[int, float] = {}  # seat id -> until when (monotonic)
        self._lock = threading.Lock()

    @property
    def stale(self) -> bool:
        return time.monotonic() - self.read_at > ROOM_SECONDS

    def view(self, taken: Iterable[int]) -> Room:
        """The room with every seat free that is neither taken nor claimed."""
        now = time.monotonic()
        with self._lock:
            for seat_id in [s for s, until in self._claims.items() if until <= now]:
                del self._claims[seat_id]
            busy = set(taken)
            busy.update(self._claims)
            changes = dict.fromkeys(busy - self._busy, False)
            changes.update(dict.fromkeys(self._busy - busy, True))
            self.room, self._busy = self.room.with_changes(changes), busy
            return self.room

    def claim(self, seat_ids: Sequence[int]) -> bool:
        """Claim these seats for one request, unless another request holds a claim on any."""
        until = time.monotonic() + CLAIM_SECONDS
        with self._lock:
            if any(seat_id in self._claims for seat_id in seat_ids):
                return False
            self._claims.update(dict.fromkeys(seat_ids, until))
            return True

    def release(self, seat_ids: Sequence[int]) -> None:
        with self._lock:
            for seat_id in seat_ids:
                self._claims.pop(seat_id, None)


_shelves: dict[int, Shelf] = {}


def room_is_ready(event_id: int) -> bool:
    """Whether the event's room is on the shelf and fresh (else run ``room_steps`` first)."""
    shelf = _shelves.get(event_id)
    return shelf is not None and not shelf.stale


def room_steps(*, event_id: int) -> Steps[None]:
    """Read the event's layout and put its room on the shelf (nothing for an unknown event)."""
    rows = yield sql.seat_places(event_id=event_id)
    if not rows:
        return
    ((shapes,),) = (yield sql.layout_shapes(event_id=event_id)) or [(None,)]
    if isinstance(shapes, str):  # Django's connection leaves JSON as text
        shapes = json.loads(shapes)
    room = Room.from_seats(seat_infos(rows, timezone.now()), stage=_stage(shapes or []))
    if len(_shelves) >= SHELVES and event_id not in _shelves:
        del _shelves[min(_shelves, key=lambda other: _shelves[other].read_at)]
    _shelves[event_id] = Shelf(room)


class _Gone(Exception):
    """A candidate's seat was locked or taken by someone else: try the next one."""


def best_steps(*, user_id: int, event_id: int, wish: Request) -> Steps[BestOutcome]:
    """Hold the best `wish.count` seats for the caller, all or none (docs/BEST_AVAILABLE.md).
    The event's room must be on the shelf (``room_steps``) unless the event does not exist."""
    found_event = yield sql.event_for_best(event_id=event_id, category=wish.category)
    if not found_event:
        raise NotFound("No such event.")
    ((orphan_mode, category_name),) = found_event
    if wish.category is not None and category_name is None:
        raise NotFound("No such price category in this event.", category=wish.category)
    shelf = _shelves.get(event_id)
    if shelf is None:  # an event without seats
        raise NoBlock(_no_block_message(wish, category_name))
    yield from caller_row_steps(user_id)

    for attempt in range(READS):
        taken = yield sql.taken_seats(event_id=event_id, user_id=user_id, now=timezone.now())
        if not attempt:  # under the user row lock the caller's holds can only end, not grow
            hold_limit_check(held=sum(1 for _, mine in taken if mine), adding=wish.count)
        seed = zlib.crc32(f"{user_id}:{event_id}:{attempt}".encode())
        found = picker_candidates(
            shelf.view(seat_id for seat_id, _ in taken),
            wish,
            orphan_mode=orphan_mode,
            seed=seed,
            limit=CANDIDATES,
        )
        if not found:
            break
        # A buyer who lost a round to others starts the next one at a candidate of its own:
        # buyers racing for the same few blocks then spread over them instead of all trying
        # the best first and mostly losing again.
        start = seed % len(found) if attempt else 0
        for chosen in found[start:] + found[:start]:
            if not shelf.claim(chosen.seats):
                continue
            held = False
            try:
                seats = yield from _hold_block_steps(
                    user_id=user_id, event_id=event_id, chosen=chosen
                )
                held = True
            except _Gone:
                continue
            finally:
                if not held:  # a held block's claim runs out once its commit is visible
                    shelf.release(chosen.seats)
            others = [c.seats for c in found if c is not chosen]
            return BestOutcome(seats=seats, together=chosen.together, alternatives=others[:3])
    raise NoBlock(_no_block_message(wish, category_name))


def _hold_block_steps(*, user_id: int, event_id: int, chosen: Candidate) -> Steps[list[Seat]]:
    yield sql.savepoint()
    now = timezone.now()
    rows = yield sql.hold_block(
        event_id=event_id, seat_ids=chosen.seats, user_id=user_id, until=lock_deadline(now), now=now
    )
    if not rows:
        yield sql.rollback_to_savepoint()
        raise _Gone
    by_id = {seat.id: seat for seat in (seat_from_row(row, event_id) for row in rows)}
    return [by_id[seat_id] for seat_id in chosen.seats]


def _stage(shapes: Sequence[dict]) -> tuple[float, float] | None:
    """The centre of the plan's stage, if it draws one; else the picker's default (top centre)."""
    for shape in shapes:
        if shape.get("kind") == "rect" and shape.get("role") == "stage":
            return (shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2)
    return None


def _no_block_message(wish: Request, category_name: str | None) -> str:
    """What was asked for, and only the changes that could find something."""
    where = f" in {category_name}" if category_name else ""
    if wish.section:
        where += f" in {wish.section}"
    what = "No seat is left" if wish.count == 1 else f"No {wish.count} seats together are left"
    tries = [
        change
        for change, applies in (
            ("fewer seats", wish.count > 1),
            ("another price", category_name is not None),
            ("another section", bool(wish.section)),
        )
        if applies
    ]
    if not tries:
        return f"{what}{where}."
    choices = tries[0] if len(tries) == 1 else f"{', '.join(tries[:-1])} or {tries[-1]}"
    return f"{what}{where}. Try {choices}."


# --- The service: the steps on Django's connection --------------------------------------------

_building = threading.Lock()


def best_hold(*, user: AbstractBaseUser, event_id: int, wish: Request) -> BestOutcome:
    """Hold the best seats for the caller's `wish`, all or none (docs/BEST_AVAILABLE.md)."""
    if not room_is_ready(event_id):
        with _building:  # one thread builds it; the others then find it ready
            if not room_is_ready(event_id):
                run(room_steps(event_id=event_id))
    with transaction.atomic():
        outcome = run(best_steps(user_id=user.pk, event_id=event_id, wish=wish))
        seats_changed_on_commit(event_id=event_id, seats=outcome.changed)
    return outcome
