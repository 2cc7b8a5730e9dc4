"""Seats off sale: kept back for a purpose (press, a sponsor, the production) or killed (never
for sale), and released to the sale at once or at a set time.

An off-sale seat is `reserved` with nobody's reservation (the model's `blocked_seat_off_sale`
check), so every path that holds or books a seat already refuses it: there is no second rule
to forget. Only a free seat can be taken off sale (a seat a buyer holds or booked is refused,
by label and why); one off sale already may change kind, purpose or release time. Purpose and
reason are for staff, never in the buyer's API; the ledger keeps them as the change's reason.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..booking import sql
from ..booking.bookings import seats_set
from ..booking.locking import seat_rows_locked
from ..exceptions import SeatUnavailable
from ..ledger.context import seat_changes_because
from ..models import Seat
from ..rules import seat_is_free
from ..signals import seats_changed_on_commit
from .map_version import map_version_bump

Status = Seat.Status
OffSale = Seat.OffSale
OFF_SALE_FIELDS = ["blocked", "off_sale", "blocked_purpose", "blocked_reason", "blocked_until"]
# A seat on sale's off-sale fields: what selling or freeing an off-sale seat writes.
ON_SALE = dict(zip(OFF_SALE_FIELDS, (False, "", "", "", None), strict=True))


def _why(kind: str, purpose: str, reason: str) -> str:
    """The ledger's reason for an off-sale change: "for the review (kept: press)"."""
    how = ": ".join(part for part in (kind, purpose) if part)
    return f"{reason} ({how})" if reason else how


def seats_take_off_sale(
    *,
    event_id: int,
    seat_ids: Sequence[int],
    kind: str,
    purpose: str = "",
    reason: str = "",
    until: datetime | None = None,
) -> list[Seat]:
    """Keep back or kill seats, all or none: free ones go off sale, off-sale ones take the new
    kind, purpose and release time (`until`: a kept seat goes on sale then); held or booked
    ones are refused. Returns the seats it changed."""
    kind = OffSale(kind).value
    with seat_changes_because(_why(kind, purpose, reason)), transaction.atomic():
        seats = seat_rows_locked(event_id=event_id, seat_ids=seat_ids)
        now = timezone.now()
        taken = [s for s in seats if not s.blocked and not seat_is_free(s, now)]
        if taken:
            raise staff_refused(
                "Only free seats can be taken off sale", taken, seats=[s.id for s in taken]
            )
        off_sale = dict(zip(OFF_SALE_FIELDS, (True, kind, purpose, reason, until), strict=True))
        changed = [s for s in seats if any(getattr(s, f) != v for f, v in off_sale.items())]
        # A seat off sale already takes a new version too: the ledger records its new kind.
        seats_set(changed, sql.BLOCK, fields=off_sale)
        if changed:
            map_version_bump(event_id=event_id)  # `blocked` is in the seat map's document
        seats_changed_on_commit(event_id=event_id, seats=changed)
        return changed


def seats_block(*, event_id: int, seat_ids: Sequence[int], reason: str = "") -> list[Seat]:
    """Kill free seats (the admin's "Block" action)."""
    return seats_take_off_sale(
        event_id=event_id, seat_ids=seat_ids, kind=OffSale.KILLED, reason=reason
    )


def taken_as(seat: Seat) -> str:
    """Why a seat that is not free cannot be had, in a refusal's words (staff's paths)."""
    if seat.blocked:
        return "killed" if seat.off_sale == OffSale.KILLED else "kept back"
    told = {Status.RESERVED: "booked", Status.PAYING: "awaiting its buyer's payment"}
    return told.get(seat.status, "held by a buyer")


def staff_refused(why: str, refused: list[Seat], **details) -> SeatUnavailable:
    """The refusal of seats staff may not take: `why`, then what each of `refused` is."""
    states = "; ".join(f"{seat.label} is {taken_as(seat)}" for seat in refused)
    return SeatUnavailable(f"{why}; {states}.", **details)


def seats_release(
    *,
    event_id: int,
    seat_ids: Sequence[int],
    at: datetime | None = None,
    due: datetime | None = None,
) -> list[Seat]:
    """Put off-sale seats on sale now, or (`at`) let them go then (the sweeper does:
    `seats_release_due`); seats that are not off sale, or (`due`) whose release time has not
    come by then, are left as they are. Returns the seats it changed."""
    with transaction.atomic():
        seats = [
            s
            for s in seat_rows_locked(event_id=event_id, seat_ids=seat_ids)
            if s.blocked and (due is None or (s.blocked_until and s.blocked_until <= due))
        ]
        if at is not None and at > timezone.now():
            seats = [s for s in seats if s.blocked_until != at]
            for seat in seats:
                seat.blocked_until = at  # a plan, not a change of state: no version, no ledger
            Seat.objects.filter(id__in=[s.id for s in seats]).update(blocked_until=at)
            return seats
        seats_set(seats, sql.FREE, fields=ON_SALE)
        if seats:
            map_version_bump(event_id=event_id)
        seats_changed_on_commit(event_id=event_id, seats=seats)
        return seats


def seats_release_due(*, now: datetime | None = None) -> list[Seat]:
    """Release the off-sale seats whose release time has come, one transaction per event. The
    time is read again under the seats' lock: staff may have moved it, or killed the seat,
    since this looked."""
    now = now or timezone.now()
    due = Seat.objects.filter(blocked=True, blocked_until__lte=now)
    released = []
    for event_id, seat_ids in seat_ids_by_event(due).items():
        released += seats_release(event_id=event_id, seat_ids=seat_ids, due=now)
    return released


def seat_ids_by_event(seats: QuerySet[Seat]) -> dict[int, list[int]]:
    """The ids of `seats` by their event: each service above changes one event's seats."""
    grouped: dict[int, list[int]] = {}
    for event_id, seat_id in seats.values_list("event_id", "id"):
        grouped.setdefault(event_id, []).append(seat_id)
    return grouped
