"""Blocking seats: kills and house seats an organiser never puts on sale.

A blocked seat is `reserved` with nobody's reservation (the model's `blocked_seat_off_sale`
check), so every path that holds or books a seat already refuses it: there is no second rule
to forget. Only a free seat can be blocked; the reason is for staff, never in the API.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from ..exceptions import SeatUnavailable
from ..ledger.context import seat_changes_because
from ..models import Seat
from ..rules import seat_is_free
from ..signals import seats_changed_on_commit
from . import sql
from .locking import seat_rows_locked
from .map_version import map_version_bump

Status = Seat.Status
_FIELDS = [
    "status",
    "held_by",
    "held_until",
    "held_since",
    "blocked",
    "blocked_reason",
    "version",
]


def seats_block(*, event_id: int, seat_ids: Sequence[int], reason: str = "") -> list[Seat]:
    """Take free seats off sale, all or none; held or booked ones are refused by label. Returns
    the seats it blocked (not those blocked already)."""
    with seat_changes_because(reason), transaction.atomic():
        seats = seat_rows_locked(event_id=event_id, seat_ids=seat_ids)
        now = timezone.now()
        taken = [s for s in seats if not s.blocked and not seat_is_free(s, now)]
        if taken:
            labels = ", ".join(s.label for s in taken)
            raise SeatUnavailable(
                f"Only free seats can be blocked; held or booked: {labels}.",
                seats=[s.id for s in taken],
            )
        changed = [s for s in seats if not s.blocked]
        for seat in changed:
            sql.BLOCK.apply(seat)
            seat.blocked, seat.blocked_reason = True, reason
        Seat.objects.bulk_update(changed, _FIELDS)
        if changed:
            map_version_bump(event_id=event_id)  # `blocked` is in the seat map's document
        seats_changed_on_commit(event_id=event_id, seats=changed)
        return changed


def seats_unblock(*, event_id: int, seat_ids: Sequence[int]) -> list[Seat]:
    """Put blocked seats on sale; seats that are not blocked are left as they are. Returns the
    seats it put on sale."""
    with transaction.atomic():
        seats = [s for s in seat_rows_locked(event_id=event_id, seat_ids=seat_ids) if s.blocked]
        for seat in seats:
            sql.FREE.apply(seat)
            seat.blocked, seat.blocked_reason = False, ""
        Seat.objects.bulk_update(seats, _FIELDS)
        if seats:
            map_version_bump(event_id=event_id)
        seats_changed_on_commit(event_id=event_id, seats=seats)
        return seats
