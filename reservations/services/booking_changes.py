"""Staff change a booking: move its seats (reseat) or cancel some or all of them with a refund.

One transaction each, in the lock order of locking.py: the reservation's row (rank BOOKING),
then every seat it touches in id order, then the checks. A reseat's new seats must be free or
kept back; its price difference is recorded in the reservation's total and answered. The
buyer's seats change under their account (`reserved_by`), so their open map hears of it as of
any change of their seats (the `own` frame), and My reservations of their bookings changed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..booking import sql
from ..booking.bookings import seats_set
from ..booking.locking import reservation_row_locked, seat_rows_locked
from ..confirmations.notices import Kind, notice_queue
from ..exceptions import (
    AlreadyCancelled,
    AwaitingPayment,
    NotFound,
    RefundTooLarge,
    SeatUnavailable,
)
from ..ledger.context import seat_changes, seat_changes_because
from ..ledger.models import Via
from ..models import Reservation, ReservedSeat
from ..money import refundable
from ..signals import bookings_changed_on_commit, door_changed_on_commit, seats_changed_on_commit
from .blocking import ON_SALE, staff_refused
from .box_office import sellable_by_staff
from .map_version import map_version_bump


@dataclass(frozen=True)
class BookingChange:
    reservation: Reservation
    difference: Decimal  # what the buyer owes (+) or is owed (-) for the change


def _live_seats(reservation: Reservation) -> dict[int, Decimal]:
    return dict(
        ReservedSeat.objects.filter(reservation=reservation, is_active=True).values_list(
            "seat_id", "price"
        )
    )


def _tickets_ended(reservation: Reservation, seat_ids: list[int], ended: str) -> dict[int, int]:
    """The seats' tickets end (a reseat's or a refund's): the door is told they are revoked.
    Answers each seat's first ticket, which a reseat's new ticket names (`moved_from`)."""
    tickets = ReservedSeat.objects.filter(
        reservation=reservation, seat_id__in=seat_ids, is_active=True
    ).values_list("id", "seat_id", Coalesce("moved_from_id", "id"))
    ending = list(tickets)
    revoked = [ticket for ticket, _, _ in ending]
    ReservedSeat.objects.filter(pk__in=revoked).update(is_active=False, ended=ended)
    door_changed_on_commit(event_id=reservation.event_id, revoked=revoked)
    return {seat: first for _, seat, first in ending}


def _confirmed(reservation_id: int) -> Reservation:
    reservation = reservation_row_locked(reservation_id)
    if reservation.status in (Reservation.Status.CANCELLED, Reservation.Status.EXPIRED):
        raise AlreadyCancelled(f"This reservation is already {reservation.status}.")
    if reservation.status == Reservation.Status.AWAITING_PAYMENT:
        raise AwaitingPayment(
            "This order is not paid yet: settle it, or let its buyer cancel it or its window end."
        )
    return reservation


def reservation_reseat(
    *, staff_id: int, reservation_id: int, moves: Sequence[tuple[int, int]], reason: str = ""
) -> BookingChange:
    """Move a booking's seats: each (from, to) pair, all or none."""
    with (
        seat_changes(Via.CONSOLE, actor_id=staff_id),
        seat_changes_because(reason or f"reseat of reservation {reservation_id}"),
        transaction.atomic(),
    ):
        reservation = _confirmed(reservation_id)
        booked = _live_seats(reservation)
        leaving = [old for old, _ in moves]
        if not moves or len(set(leaving)) != len(leaving) or not set(leaving) <= set(booked):
            raise NotFound("Move only seats of this booking, each once.", seats=leaving)
        coming = [new for _, new in moves]
        seats = seat_rows_locked(event_id=reservation.event_id, seat_ids=[*leaving, *coming])
        by_id = {s.id: s for s in seats}
        now = timezone.now()
        if len(set(coming)) != len(coming):
            raise SeatUnavailable("Move each seat to a seat of its own.", seats=coming)
        refused = [by_id[i] for i in coming if i in booked or not sellable_by_staff(by_id[i], now)]
        if refused:
            raise staff_refused(
                "Move only to free or kept-back seats", refused, seats=[s.id for s in refused]
            )
        difference = sum((by_id[i].price for i in coming), Decimal("0.00")) - sum(
            (booked[i] for i in leaving), Decimal("0.00")
        )
        first = _tickets_ended(reservation, leaving, ReservedSeat.Ended.MOVED)
        ReservedSeat.objects.bulk_create(
            ReservedSeat(
                reservation=reservation,
                seat=by_id[new],
                price=by_id[new].price,
                moved_from_id=first[old],
            )
            for old, new in moves
        )
        was_off_sale = any(by_id[i].blocked for i in coming)
        seats_set([by_id[i] for i in leaving], sql.FREE)
        seats_set([by_id[i] for i in coming], sql.BOOK, {"user_id": reservation.user_id}, ON_SALE)
        reservation.total_price += difference
        reservation.save(update_fields=["total_price"])
        if was_off_sale:
            map_version_bump(event_id=reservation.event_id)
        seats_changed_on_commit(event_id=reservation.event_id, seats=seats)
        bookings_changed_on_commit(accounts=[reservation.user_id])
        notice_queue(reservation=reservation, kind=Kind.RESEAT, amount=difference, seats=moves)
        return BookingChange(reservation, difference)


def reservation_refund(
    *,
    staff_id: int,
    reservation_id: int,
    seat_ids: Sequence[int] | None = None,
    refunded: Decimal | None = None,
    reason: str = "",
    via: Via = Via.CONSOLE,
) -> BookingChange:
    """Cancel some of a booking's seats (all of them: None) with a reason, and record what was
    given back (None: all it took and has not given back yet), never more than that
    (money.py). A booking left with no seat is cancelled. Staff cancel through the console, or
    (`via` admin) the admin's action."""
    with seat_changes(via, actor_id=staff_id), seat_changes_because(reason), transaction.atomic():
        reservation = _confirmed(reservation_id)
        booked = _live_seats(reservation)
        leaving = list(booked) if seat_ids is None else list(dict.fromkeys(seat_ids))
        if not leaving or not set(leaving) <= set(booked):
            raise NotFound("Cancel only seats of this booking.", seats=leaving)
        left_to_give = refundable(reservation)
        if refunded is None:
            refunded = left_to_give
        elif refunded > left_to_give:
            raise RefundTooLarge(
                f"At most {left_to_give} of this booking can be refunded: it took no more.",
                refundable=str(left_to_give),
            )
        seats = seat_rows_locked(event_id=reservation.event_id, seat_ids=leaving)
        _tickets_ended(reservation, leaving, ReservedSeat.Ended.REFUNDED)
        seats_set(seats, sql.FREE)
        difference = -sum((booked[i] for i in leaving), Decimal("0.00"))
        reservation.refunded += refunded
        fields = ["refunded"]
        if len(leaving) == len(booked):  # its total stays what was sold, as a buyer's cancel
            reservation.status = Reservation.Status.CANCELLED
            reservation.cancelled_at = timezone.now()
            fields += ["status", "cancelled_at"]
        else:
            reservation.total_price += difference
            fields.append("total_price")
        reservation.save(update_fields=fields)
        seats_changed_on_commit(event_id=reservation.event_id, seats=seats)
        bookings_changed_on_commit(accounts=[reservation.user_id])
        notice_queue(reservation=reservation, kind=Kind.REFUND, amount=refunded, seats=leaving)
        return BookingChange(reservation, difference)
