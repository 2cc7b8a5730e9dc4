"""Seats as the seating rules see them (reservations/seating): where they are and whether free.

The rules are pure; this reads rows in sql.SEAT_INFO_FIELDS order into their SeatInfo values,
judging "free" by rules.py at one clock, and applies the orphan rule to a hold.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from ..exceptions import OrphanSeat
from ..models import Seat
from ..rules import effective_status
from ..seating import OrphanMode, Room, SeatInfo, check_orphans
from . import sql
from .sql import Steps

Status = Seat.Status


def seat_infos(rows: Iterable[Sequence], now: datetime) -> list[SeatInfo]:
    """Rows in sql.SEAT_INFO_FIELDS order: SeatInfo's fields up to `aisle`, then the seat's state,
    which says whether it is free at `now`."""
    return [
        SeatInfo(*place, effective_status(status, until, now) == Status.AVAILABLE)
        for *place, status, until in rows
    ]


def orphan_rule_steps(
    *, event_id: int, mode: str | None, taking: Sequence[Seat], now: datetime
) -> Steps[None]:
    """Refuse a hold of `taking` that leaves a seat alone where the event's orphan `mode`
    (read with the buyer's state) says no (409 orphan_seat, naming the seat and suggesting
    seats to hold instead).

    The row's other seats are read without locks: two holds at once may each be fine and
    together strand a seat. The rule is about not offering bad choices, not an invariant."""
    if mode in (None, OrphanMode.OFF) or not taking:
        return
    rows = sorted({(seat.section, seat.row) for seat in taking})
    room = Room.from_seats(seat_infos((yield sql.seats_in_rows(event_id=event_id, rows=rows)), now))
    check = check_orphans(room, [seat.id for seat in taking], mode)
    if check.ok:
        return
    wanted = [check.orphan, *(check.suggestion or ())]
    labels = dict((yield sql.labels(event_id=event_id, seat_ids=wanted)))
    message = f"This would leave seat {labels[check.orphan]} empty on its own."
    if check.suggestion:
        message += f" Try {', '.join(labels[i] for i in check.suggestion)} instead."
    raise OrphanSeat(message, seat=check.orphan, suggestion=list(check.suggestion or ()))
