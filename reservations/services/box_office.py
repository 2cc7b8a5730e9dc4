"""The box office: staff sell seats to a walk-in, who needs no account.

One transaction, in the lock order of locking.py: the seat rows in id order, then the checks,
then the reservation (`channel` box_office, no `user`: its seats are `reserved` by nobody's
account, so they count against no buyer's limit) and its seats booked. A seat clicked online at
the same moment is decided by its row lock: exactly one of the two gets it. Free seats and
seats kept back (house seats sold at the door) can be sold; held, booked and killed ones not.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..booking import sql
from ..booking.bookings import seats_set
from ..booking.locking import seat_rows_locked
from ..confirmations.notices import Kind, notice_queue
from ..exceptions import AmountAboveTotal, CompTakesNothing
from ..ledger.context import seat_changes, seat_changes_because
from ..ledger.models import Via
from ..models import Reservation, ReservedSeat, Seat
from ..rules import seat_is_free
from ..signals import seats_changed_on_commit
from .blocking import ON_SALE, staff_refused
from .map_version import map_version_bump

Payment = Reservation.Payment


def sellable_by_staff(seat: Seat, now) -> bool:
    """Free, or kept back: what the box office and a reseat may take."""
    if seat.blocked:
        return seat.off_sale == Seat.OffSale.KEPT
    return seat_is_free(seat, now)


def box_office_sell(
    *,
    staff_id: int,
    event_id: int,
    seat_ids: Sequence[int],
    payment: str,
    amount_taken: Decimal | None = None,
    buyer_name: str = "",
    buyer_email: str = "",
    may_take_more: bool = False,
) -> Reservation:
    """Sell seats to a walk-in, all or none. `amount_taken` defaults to the seats' total (a
    comp's to nothing, and a comp takes nothing); more than the total only if the staff member
    `may_take_more` (a Manager), and the ledger says so."""
    payment = Payment(payment).value
    if payment == Payment.COMP and amount_taken:
        raise CompTakesNothing
    # An amount staff typed is in the ledger, beside the seats it was taken for.
    reason = "" if amount_taken is None else f"amount taken {amount_taken}"
    with (
        seat_changes(Via.BOX_OFFICE, actor_id=staff_id),
        seat_changes_because(reason),
        transaction.atomic(),
    ):
        seats = seat_rows_locked(event_id=event_id, seat_ids=seat_ids)
        now = timezone.now()
        refused = [s for s in seats if not sellable_by_staff(s, now)]
        if refused:
            raise staff_refused(
                "Only free or kept-back seats can be sold", refused, seats=[s.id for s in refused]
            )
        total = sum((s.price for s in seats), Decimal("0.00"))
        if amount_taken is None:
            amount_taken = Decimal("0.00") if payment == Payment.COMP else total
        if amount_taken > total and not may_take_more:
            raise AmountAboveTotal(
                f"Taking more than the seats' total of {total} needs a Manager.", total=str(total)
            )
        reservation = Reservation.objects.create(
            user=None,
            event_id=event_id,
            channel=Reservation.Channel.BOX_OFFICE,
            sold_by_id=staff_id,
            buyer_name=buyer_name,
            buyer_email=buyer_email,
            payment=payment,
            amount_taken=amount_taken,
            total_price=total,
        )
        ReservedSeat.objects.bulk_create(
            ReservedSeat(reservation=reservation, seat=s, price=s.price) for s in seats
        )
        was_off_sale = any(s.blocked for s in seats)
        seats_set(seats, sql.BOOK, {"user_id": None}, ON_SALE)
        if was_off_sale:
            map_version_bump(event_id=event_id)
        seats_changed_on_commit(event_id=event_id, seats=seats)
        notice_queue(reservation=reservation, kind=Kind.SALE, amount=amount_taken)
        return reservation
