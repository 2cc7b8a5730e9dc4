"""Best available on the database: the picker's choice (reservations/seating) held for a buyer.

Many buyers ask at once in an on-sale, and they must not all pick the same block and fail. So:

1. read the event's seats once, as committed (no locks), and ask the picker for its best few
   candidates, which share no seat; ties are broken by a seed of the buyer's own, so buyers
   with equal wishes spread over equal blocks instead of queueing for one;
2. for each candidate in turn, one transaction: the caller's row (locking rule 2), then the
   candidate's seat rows ``FOR UPDATE SKIP LOCKED`` in id order. A row another buyer has
   locked is skipped rather than waited for: the candidate is then gone, the transaction rolls
   back, and the next candidate is tried at once. Under the locks the clock is read and every
   seat checked free again (rule 4), then the hold limit, then the one write;
3. when every candidate is gone, read again (the room has changed) and repeat, a bounded
   number of times; then 409 ``no_block``.

The seats held are announced as one `seats` message after commit, and they are what reserve
books: nothing here is chosen again later.
"""

import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..exceptions import NoBlock, NotFound
from ..models import Event, PriceCategory, Seat
from ..rules import free_q, seat_is_free
from ..seating import Candidate, Request, Room, candidates
from ..signals import seats_changed_on_commit
from . import sql
from .holds import caller_row_steps, hold_limit_steps, lock_deadline, seat_from_row
from .places import seat_infos
from .runner import run
from .sql import Steps

# Candidates tried per read of the room, and reads before the buyer is told nothing fits.
CANDIDATES = 8
READS = 3


@dataclass(frozen=True)
class BestOutcome:
    seats: list[Seat]  # held for the caller, in the block's order along its row(s)
    together: bool  # all side by side in one row
    alternatives: list[tuple[int, ...]]  # other free blocks the buyer could take instead


class _Gone(Exception):
    """A candidate's seat was locked or taken by someone else: try the next one."""


def best_hold(
    *,
    user: AbstractBaseUser,
    event_id: int,
    count: int,
    category: int | None = None,
    section: str | None = None,
    accessible: int = 0,
) -> BestOutcome:
    """Hold the best `count` seats for the caller, all or none (docs/BEST_AVAILABLE.md)."""
    request = Request(count=count, category=category, section=section, accessible=accessible)
    event = Event.objects.select_related("layout").filter(pk=event_id).first()
    if event is None:
        raise NotFound("No such event.")
    if (
        category is not None
        and not PriceCategory.objects.filter(pk=category, event_id=event_id).exists()
    ):
        raise NotFound("No such price category in this event.", category=category)
    stage = _stage(event.layout.shapes if event.layout else [])

    for attempt in range(READS):
        found = candidates(
            _room(event_id, stage),
            request,
            orphan_mode=event.orphan_mode,
            seed=zlib.crc32(f"{user.pk}:{event_id}:{attempt}".encode()),
            limit=CANDIDATES,
        )
        for chosen in found:
            try:
                with transaction.atomic():
                    seats = run(
                        _hold_block_steps(user_id=user.pk, event_id=event_id, chosen=chosen)
                    )
                    seats_changed_on_commit(event_id=event_id, seats=seats)
            except _Gone:
                continue
            others = [c.seats for c in found if c is not chosen]
            return BestOutcome(seats=seats, together=chosen.together, alternatives=others[:3])
        if not found:
            break
    raise NoBlock(_no_block_message(request, event_id))


def _hold_block_steps(*, user_id: int, event_id: int, chosen: Candidate) -> Steps[list[Seat]]:
    yield from caller_row_steps(user_id)
    rows = yield sql.seats_for_update_skip_locked(event_id=event_id, seat_ids=chosen.seats)
    if len(rows) < len(chosen.seats):
        raise _Gone
    now = timezone.now()
    by_id = {seat.id: seat for seat in (seat_from_row(row, event_id) for row in rows)}
    if not all(seat_is_free(seat, now) for seat in by_id.values()):
        raise _Gone
    yield from hold_limit_steps(user_id=user_id, event_id=event_id, adding=len(by_id), now=now)
    until = lock_deadline(now)
    for seat in by_id.values():
        sql.HOLD.apply(seat, user_id=user_id, until=until, now=now)
    yield sql.hold(seat_ids=sorted(by_id), user_id=user_id, until=until, now=now)
    return [by_id[seat_id] for seat_id in chosen.seats]


# Per event, the room as it was read, and when: where seats stand never changes after an event
# is made, so a request only reads which seats are taken and refreshes the free flags of the
# rows where that changed (building the room is about 25 ms for 2,000 seats). An organiser may
# move seats between categories: a room older than ROOM_SECONDS is read again.
ROOM_SECONDS = 30.0
_rooms: dict[int, tuple[float, Room]] = {}


def _room(event_id: int, stage: tuple[float, float] | None) -> Room:
    taken = set(
        Seat.objects.filter(event_id=event_id)
        .exclude(free_q(timezone.now()))
        .values_list("id", flat=True)
    )
    read_at, room = _rooms.get(event_id, (0.0, None))
    if room is None or time.monotonic() - read_at > ROOM_SECONDS:
        rows = Seat.objects.filter(event_id=event_id).order_by("id").values_list(*sql.PLACE_FIELDS)
        room = Room.from_seats(seat_infos(rows, timezone.now()), stage=stage)
        read_at = time.monotonic()
    room = room.with_free(room.places.keys() - taken)
    if len(_rooms) > 64:
        _rooms.clear()
    _rooms[event_id] = (read_at, room)
    return room


def _stage(shapes: Sequence[dict]) -> tuple[float, float] | None:
    """The centre of the plan's stage, if it draws one; else the picker's default (top centre)."""
    for shape in shapes:
        if shape.get("kind") == "rect" and shape.get("role") == "stage":
            return (shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2)
    return None


def _no_block_message(request: Request, event_id: int) -> str:
    where = ""
    if request.category is not None:
        name = PriceCategory.objects.filter(pk=request.category).values_list("name", flat=True)
        where += f" in {name.first()}"
    if request.section:
        where += f" in {request.section}"
    seats = "seat" if request.count == 1 else f"{request.count} seats"
    return f"No {seats} together are left{where}. Try fewer seats or another price."
