"""The pay window: an order awaiting payment (its seats `paying`) ends in exactly one of paid,
expired (its window ended: its seats go back on sale) or cancelled by its buyer
(booking/bookings.py `cancel_steps`).

Each end takes the order's row lock first (locking.py rank BOOKING), then its seats in id
order, and looks at the order's status under it: two ends racing run one after the other, and
the second finds the order ended. A payment that lands after its order ended is recorded and
given back through its provider: the organiser sees both rows in the payments export.

Provider calls (networks) are made outside a seat's lock: starting a payment holds the order's
row only (a double submit waits and finds the first attempt; the sweeper skips the order for
the while). Money given back is recorded once, on the order (`refunded`: money.py), by whatever
gave it back (a late payment, staff's refund, the buyer's cancel, on either path); the sweeper
then makes the provider give it (`refunds_send`), so no path has to remember to.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..booking import sql
from ..booking.bookings import ReservedSeatRecord, seats_written
from ..booking.locking import (
    reservation_row_locked,
    seat_rows_locked,
    seat_rows_written_steps,
    transaction_settings_sent,
)
from ..booking.runner import run_and_announce
from ..exceptions import AmountAboveTotal, NotAwaitingPayment, NotFound, ProviderAway
from ..ledger.context import seat_changes
from ..ledger.models import Via
from ..models import Event, Reservation, ReservedSeat, Seat
from ..money import ZERO
from ..roles import may_columns, may_statement, refused_role
from ..signals import bookings_changed_on_commit
from . import statements
from .models import Payment
from .providers import Outcome, Provider, Venue, provider_of

logger = logging.getLogger("reservations.payments")

Status = Reservation.Status
AWAITING = Status.AWAITING_PAYMENT
# A refund its provider did not answer is asked again this long after it was written.
REFUND_RETRY_SECONDS = 30


@dataclass(frozen=True)
class PayNow:
    """Where the buyer of an order awaiting payment pays: the provider's page, or what to do."""

    order: Reservation
    attempt: Payment
    instructions: str


def _provider(order: Reservation) -> Provider:
    return provider_of(order.event.paid_with or Event.PaidWith.VENUE)


def pay_now(*, user_id: int, reservation_id: int, return_url: str) -> PayNow:
    """The buyer's "pay now": their order's attempt, started with its provider if none is."""
    with transaction.atomic():
        order = reservation_row_locked(reservation_id)
        if order.user_id != user_id:
            raise NotFound("No such reservation.")
        if order.status != AWAITING:
            raise NotAwaitingPayment(f"This order is {order.status.replace('_', ' ')}.")
        provider = _provider(order)
        attempt = order.payments.filter(kind=Payment.Kind.PAYMENT, state=Payment.State.STARTED)
        attempt = attempt.first()
        if attempt is None:
            started = provider.start(order, return_url=return_url)
            attempt = Payment.objects.create(
                reservation=order,
                provider=provider.name,
                reference=started.reference,
                url=started.url,
                amount=order.total_price,
            )
        return PayNow(order, attempt, provider.instructions(order))


@dataclass(frozen=True)
class Settled:
    """What a settle left: the order as the console shows it (its event and buyer read with
    it), the seats it still has as sold, and what watchers and the buyer are told."""

    order: Reservation
    seats: list[ReservedSeatRecord]
    changed: list[Seat]  # its seats, sold now (none: a replay, or an order that ended first)
    buyer: int | None  # whose bookings changed (none on a replay)

    @property
    def event_id(self) -> int:
        return self.order.event_id


def paid(
    *,
    reservation_id: int,
    provider: str,
    reference: str,
    amount: Decimal,
    settled_reference: str = "",
    actor_id: int | None = None,
) -> Settled:
    """Record that the provider (or staff, `actor_id`) took `amount` for the order: its seats
    are sold, or, if the order ended first, the money is given back. A notification told twice
    (the same `reference` paid) changes nothing the second time. One transaction; its changes
    are announced once it commits."""
    steps = settle_steps(
        reservation_id=reservation_id,
        provider=provider,
        reference=reference,
        amount=amount,
        settled_reference=settled_reference,
        actor_id=actor_id,
    )
    with seat_changes(Via(provider), actor_id=actor_id):
        return run_and_announce(steps)


# What staff who settle an order may do on its event (roles.py).
SETTLED_BY_STAFF = ("view_console", "sell_at_box_office")


def settled_by_staff_steps(
    *, staff_id: int, reservation_id: int, amount: Decimal, settled_reference: str
) -> sql.Steps[Settled]:
    """Staff who took the money at the venue (or saw the invoice paid) settle the order:
    `settle_steps`, with their roles on its event read with the order's row lock (roles.py).
    Either path runs it (api/operations.py), in the ledger as the venue's, by them."""
    return (
        yield from settle_steps(
            reservation_id=reservation_id,
            provider=Venue.name,
            reference=Venue.reference(reservation_id),
            amount=amount,
            settled_reference=settled_reference,
            actor_id=staff_id,
            roles=SETTLED_BY_STAFF,
        )
    )


def settle_steps(
    *,
    reservation_id: int,
    provider: str,
    reference: str,
    amount: Decimal,
    settled_reference: str,
    actor_id: int | None,
    roles: tuple[str, ...] = (),
) -> sql.Steps[Settled]:
    """`paid`'s reads and writes: the order's row lock (with the `roles` the actor needs),
    its payment and seats, then (still awaiting payment) its seats written sold, locked in id
    order; decided in Python over what they read."""
    may = None
    if roles:
        may = may_columns(user_id=actor_id, codenames=roles, reservation_id=reservation_id)
    rows = yield statements.order_for_update(reservation_id=reservation_id, may=may)
    if not rows:
        if roles:  # whether they may comes before whether it exists
            [allowed] = yield may_statement(
                user_id=actor_id, codenames=roles, reservation_id=reservation_id
            )
            refused_role(allowed, roles)
        raise NotFound("No such reservation.")
    [row] = rows
    refused_role(row[: len(roles)], roles)
    *columns, event_name, currency, username, email = row[len(roles) :]
    order = _order_of(columns, event_name, currency, username, email)
    read = yield statements.payment_and_live_seats(
        reservation_id=reservation_id, reference=reference
    )
    payment_id, payment_state = read[0][:2]
    live = [
        ReservedSeatRecord(seat_id, label, section, seat_row, sql.amount_of(price))
        for _, _, seat_id, label, section, seat_row, price in read
        if seat_id is not None
    ]
    if payment_state == Payment.State.PAID:
        return Settled(order, live, changed=[], buyer=None)
    if order.pay_by is None:  # sold at once (or at the box office): nothing to pay
        raise NotAwaitingPayment("This booking was not sold with a pay window.")
    if actor_id is not None and amount > order.total_price:
        raise AmountAboveTotal(
            f"This order costs {order.total_price}: record at most that.",
            total=str(order.total_price),
        )
    order.amount_taken += amount
    late = order.status != AWAITING
    if late:  # it ended first: nothing is sold, and the money goes back (refunds_send)
        order.refunded += amount
    else:
        order.status = Status.CONFIRMED
    payment = statements.payment_settled(
        payment_id=payment_id,
        reservation_id=order.pk,
        provider=provider,
        reference=reference,
        amount=amount,
        settled_reference=settled_reference,
        late=late,
        actor_id=actor_id,
        now=timezone.now(),
    )
    writes = (payment, statements.order_money(order=order))
    if late:
        yield sql.Together(writes)
        return Settled(order, live, changed=[], buyer=order.user_id)
    seats = yield from seat_rows_written_steps(
        sql.BOOK,
        event_id=order.event_id,
        seat_ids=[s.id for s in live],
        with_writes=writes,
        user_id=order.user_id,
    )
    return Settled(order, live, changed=seats, buyer=order.user_id)


def _order_of(columns, event_name: str, currency: str, username, email) -> Reservation:
    """The order as its locked row read it, with its event and buyer as the answer shows them."""
    order = Reservation(**dict(zip(statements.ORDER_FIELDS, columns, strict=True)))
    for field in ("total_price", "amount_taken", "refunded"):
        setattr(order, field, sql.amount_of(getattr(order, field)))
    for field in ("created_at", "cancelled_at", "pay_by"):
        setattr(order, field, sql.moment_of(getattr(order, field)))
    order.event = Event(id=order.event_id, name=event_name, currency=currency)
    if order.user_id is not None:
        order.user = get_user_model()(id=order.user_id, username=username, email=email)
    return order


def notified(provider_name: str, body: bytes, signature: str) -> Settled | None:
    """A provider's signed notification, settled (providers.NotificationRefused if forged)."""
    outcome: Outcome | None = provider_of(provider_name).notified(body, signature)
    if outcome is None:
        return None
    if not Reservation.objects.filter(pk=outcome.reservation_id).exists():
        return None  # not an order of this instance: nothing to settle, nothing to retry
    if outcome.amount is None:  # its session ended unpaid: a new "pay now" starts another
        Payment.objects.filter(reference=outcome.reference, state=Payment.State.STARTED).update(
            state=Payment.State.CANCELLED
        )
        return None
    return paid(
        reservation_id=outcome.reservation_id,
        provider=provider_name,
        reference=outcome.reference,
        amount=outcome.amount,
        settled_reference=outcome.settled_reference,
    )


def refunds_send() -> int:
    """The sweeper's: give back through its provider what an order paid online records as given
    back (`refunded`) beyond the refunds already sent, one Payment row a refund; how many. The
    row is written and committed before the provider is asked (its id the idempotency key), so a
    crash between the two, or a provider out of reach, never gives back twice: the row stays
    `started`, and is asked again with the same key after REFUND_RETRY_SECONDS."""
    again = timezone.now() - timedelta(seconds=REFUND_RETRY_SECONDS)
    started = Payment.objects.filter(kind=Payment.Kind.REFUND, state=Payment.State.STARTED)
    for refund in started.filter(created_at__lte=again).order_by("id")[:100]:
        _refund(refund)
    paid_online = Q(payments__kind=Payment.Kind.PAYMENT, payments__state=Payment.State.PAID)
    owed = (
        Reservation.objects.filter(refunded__gt=0)
        .annotate(
            paid=Count("payments", filter=paid_online),
            sent=Coalesce(
                Sum("payments__amount", filter=Q(payments__kind=Payment.Kind.REFUND)), ZERO
            ),
        )
        .filter(paid__gt=0, refunded__gt=F("sent"))
    )
    sent = 0
    for order_id in list(owed.values_list("id", flat=True)[:100]):
        with transaction.atomic():
            order = reservation_row_locked(order_id)
            refunds = order.payments.filter(kind=Payment.Kind.REFUND)
            due = order.refunded - (refunds.aggregate(s=Sum("amount"))["s"] or ZERO)
            taken = order.payments.filter(kind=Payment.Kind.PAYMENT, state=Payment.State.PAID)
            # A late payment goes back whole, from itself; the rest from the newest payment
            # on, each giving back no more than it took (the last one what is left).
            sources = list(taken.order_by("-late", "-id"))
            made = []
            for i, source in enumerate(sources):
                mine = refunds.filter(
                    provider=source.provider, settled_reference=source.settled_reference
                )
                left = source.amount - (mine.aggregate(s=Sum("amount"))["s"] or ZERO)
                amount = due if i == len(sources) - 1 else min(due, left)
                if amount <= 0:
                    continue
                made.append(
                    Payment.objects.create(
                        reservation=order,
                        provider=source.provider,
                        kind=Payment.Kind.REFUND,
                        amount=amount,
                        settled_reference=source.settled_reference,
                    )
                )
                due -= amount
        for refund in made:
            _refund(refund)
        sent += len(made)
    return sent


def _refund(refund: Payment) -> None:
    try:
        reference = provider_of(refund.provider).refund(refund, refund.amount)
    except ProviderAway:
        logger.warning("refund %s: its provider is out of reach; asked again later", refund.pk)
        return
    except Exception:
        logger.exception("refund %s failed: the organiser gives it back", refund.pk)
        state, reference = Payment.State.FAILED, ""
    else:
        state = Payment.State.REFUNDED
    Payment.objects.filter(pk=refund.pk).update(
        state=state, reference=reference, settled_at=timezone.now()
    )


def windows_close(*, now: datetime | None = None, batch_size: int = 500) -> list[int]:
    """The sweeper's: end the orders whose pay window has ended unpaid, their seats back on
    sale; one transaction per event and batch, taking orders no one else has locked (a
    payment being settled is skipped, and looked at again next round). Their ids."""
    now = now or timezone.now()
    due = Reservation.objects.filter(status=AWAITING, pay_by__lte=now)
    ended: list[int] = []
    for event_id in list(due.order_by().values_list("event_id", flat=True).distinct()):
        while True:
            with seat_changes(Via.SWEEPER), transaction.atomic():
                transaction_settings_sent()
                orders = list(
                    due.filter(event_id=event_id)
                    .select_for_update(skip_locked=True, of=("self",))
                    .order_by("id")[:batch_size]
                )
                live = ReservedSeat.objects.filter(reservation__in=orders, is_active=True)
                seats = seat_rows_locked(
                    event_id=event_id, seat_ids=live.values_list("seat_id", flat=True)
                )
                live.update(is_active=False, ended=ReservedSeat.Ended.EXPIRED)
                seats_written(seats, sql.FREE, event_id=event_id)
                Reservation.objects.filter(pk__in=[o.pk for o in orders]).update(
                    status=Status.EXPIRED
                )
                bookings_changed_on_commit(accounts=[o.user_id for o in orders])
            ended += [o.pk for o in orders]
            if len(orders) < batch_size:
                break
    return ended


def attempts_close() -> int:
    """The sweeper's: cancel with their provider the attempts of orders that ended another
    way (expired, cancelled), so no one pays for seats gone; how many."""
    closed = 0
    stale = Payment.objects.filter(kind=Payment.Kind.PAYMENT, state=Payment.State.STARTED)
    for attempt in stale.exclude(reservation__status=AWAITING)[:100]:
        try:
            provider_of(attempt.provider).cancel(attempt)
        except Exception:  # the provider away: asked again at the next sweep
            logger.exception("could not cancel payment %s", attempt.pk)
            continue
        closed += Payment.objects.filter(pk=attempt.pk, state=Payment.State.STARTED).update(
            state=Payment.State.CANCELLED
        )
    return closed
