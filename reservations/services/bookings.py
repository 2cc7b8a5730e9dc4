"""Booking held seats, and cancelling a booking, written once as steps (see holds.py).

``reserve_steps`` and ``cancel_steps`` yield the statements of sql.py and receive their rows,
as the hold steps do: ``runner.run`` drives them on Django's connection (the services
``reservation_create`` and ``reservation_cancel`` below: the views, the admin, the tests) and
``runner.run_async`` on the fast path's psycopg connection (reservations/api/fast.py).

Their locking order is the package's: the caller's row first, then (reserve) the
Idempotency-Key's claim or (cancel) the reservation's row, then the seat rows in id order, then
the clock and the checks. Both return a ``Booking``: the reservation as its answer shows it,
built from the rows the steps already hold, so neither path reads it again to answer.

``lock_seat_rows`` and ``save_seats`` are the ORM's form of the same seat locking and saving,
for the writes that are not steps (expiry, blocking).
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..exceptions import (
    AlreadyCancelled,
    CompanionRequiresAccessible,
    IdempotencyMismatch,
    LockRequired,
    NotFound,
)
from ..models import Event, Reservation, Seat
from ..rules import seat_is_held_by
from ..seating import companions_without_accessible
from ..signals import seats_changed_on_commit
from . import sql
from .holds import caller_row_steps, not_in_event, seat_rows_steps
from .runner import run
from .sql import Rows, Steps

_PRICE = Seat._meta.get_field("price")


@dataclass(frozen=True, slots=True)
class BookedSeat:
    seat_id: int
    label: str
    section: str
    price: Decimal  # the price it was sold at


@dataclass(frozen=True, slots=True)
class Booking:
    """A reservation as the API shows it (presenters.booking_json)."""

    id: int
    status: str
    created_at: datetime
    cancelled_at: datetime | None
    event_id: int
    event_name: str
    event_starts_at: datetime
    seats: list[BookedSeat]
    total_price: Decimal


@dataclass(frozen=True)
class BookingOutcome:
    booking: Booking
    changed: list[Seat]  # the seats whose state changed: what watchers are told
    replayed: bool = False  # an Idempotency-Key's earlier answer, nothing booked now


@dataclass(frozen=True)
class ReservationOutcome:
    reservation: Reservation
    replayed: bool


def _aware(moment: datetime | None) -> datetime | None:
    """A time read by raw SQL: SQLite gives the ORM's writes back naive (they are UTC)."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=UTC)


def _booking(row: Sequence, seats: list[BookedSeat]) -> Booking:
    """A Booking from a row in sql.BOOKING_FIELDS order and its seats."""
    fields = dict(zip(sql.BOOKING_FIELDS, row, strict=True))
    for name in ("created_at", "cancelled_at", "event_starts_at"):
        fields[name] = _aware(fields[name])
    fields["total_price"] = _PRICE.to_python(fields["total_price"])
    return Booking(seats=seats, **fields)


def _booked_seats(rows: Rows) -> list[BookedSeat]:
    return [
        BookedSeat(seat_id, label, section, _PRICE.to_python(price))
        for seat_id, label, section, price, _active in rows
    ]


def booking_read_steps(*, user_id: int, reservation_id: int) -> Steps[Booking]:
    """One of the caller's reservations as it stands; someone else's is none (404)."""
    rows = yield sql.reservation(reservation_id=reservation_id, user_id=user_id)
    if not rows:
        raise NotFound("No such reservation.")
    seats = yield sql.reserved_seats(reservation_id=reservation_id)
    return _booking(rows[0], _booked_seats(seats))


def reserve_fingerprint(*, event_id: int, seat_ids: Sequence[int]) -> str:
    canonical = f"{event_id}:{','.join(str(i) for i in sorted(seat_ids))}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key_claim_steps(
    *, user_id: int, event_id: int, seat_ids: Sequence[int], key: str, now: datetime
) -> Steps[tuple[int | None, int | None]]:
    """(the claimed key's id, None), or (None, the reservation of the key's first request).

    The first request with a key claims it; a second one waits on the unique index until the
    first ends, then finds the key and its reservation (or, if the first rolled back, claims
    it). The same key with another body is idempotency_mismatch."""
    fingerprint = reserve_fingerprint(event_id=event_id, seat_ids=seat_ids)
    claimed = yield sql.idempotency_key_claim(
        user_id=user_id, key=key, fingerprint=fingerprint, now=now
    )
    if claimed:
        return claimed[0][0], None
    ((first_fingerprint, reservation_id),) = yield sql.idempotency_key(user_id=user_id, key=key)
    if first_fingerprint != fingerprint:
        raise IdempotencyMismatch("This Idempotency-Key was already used with a different request.")
    return None, reservation_id


def reserve_steps(
    *, user_id: int, event_id: int, seat_ids: Sequence[int], idempotency_key: str | None = None
) -> Steps[BookingOutcome]:
    """Book seats the caller holds, all or none; with a key, at most once per key."""
    yield from caller_row_steps(user_id)
    key_id = None
    if idempotency_key:
        key_id, replay_of = yield from _key_claim_steps(
            user_id=user_id,
            event_id=event_id,
            seat_ids=seat_ids,
            key=idempotency_key,
            now=timezone.now(),
        )
        if replay_of is not None:
            booking = yield from booking_read_steps(user_id=user_id, reservation_id=replay_of)
            return BookingOutcome(booking=booking, changed=[], replayed=True)

    seats = yield from seat_rows_steps(event_id=event_id, seat_ids=seat_ids)
    now = timezone.now()
    not_held = [s for s in seats if not seat_is_held_by(s, user_id, now)]
    if not_held:
        labels = ", ".join(s.label for s in not_held)
        raise LockRequired(
            f"Hold every seat before booking it; not held by you (or expired): {labels}.",
            seats=[s.id for s in not_held],
        )
    companions = companions_without_accessible(seats, [s.id for s in seats])
    if companions:
        labels = ", ".join(s.label for s in seats if s.id in companions)
        raise CompanionRequiresAccessible(
            f"Companion seats ({labels}) are sold with a wheelchair space: book one with them.",
            seats=companions,
        )

    prices = [_PRICE.to_python(s.price) for s in seats]
    total = sum(prices, Decimal("0.00"))
    (row,) = yield sql.reservation_insert(
        user_id=user_id, event_id=event_id, total_price=total, now=now
    )
    reservation_id = row[0]
    yield sql.reserved_seats_insert(
        reservation_id=reservation_id,
        seats=[(s.id, price) for s, price in zip(seats, prices, strict=True)],
    )
    for seat in seats:
        sql.BOOK.apply(seat, user_id=user_id)
    yield sql.book(seat_ids=[s.id for s in seats], user_id=user_id)
    if key_id is not None:
        yield sql.idempotency_key_fill(key_id=key_id, reservation_id=reservation_id)
    booked = [
        BookedSeat(s.id, s.label, s.section, price) for s, price in zip(seats, prices, strict=True)
    ]
    return BookingOutcome(booking=_booking(row, booked), changed=seats)


def cancel_steps(*, user_id: int, reservation_id: int) -> Steps[BookingOutcome]:
    """Cancel one of the caller's reservations; its seats become available."""
    yield from caller_row_steps(user_id)
    rows = yield sql.reservation(reservation_id=reservation_id, user_id=user_id, lock_rows=True)
    if not rows:
        raise NotFound("No such reservation.")
    fields = dict(zip(sql.BOOKING_FIELDS, rows[0], strict=True))
    if fields["status"] == Reservation.Status.CANCELLED:
        raise AlreadyCancelled("This reservation is already cancelled.")
    seat_rows = yield sql.reserved_seats(reservation_id=reservation_id)
    active = [seat_id for seat_id, _, _, _, is_active in seat_rows if is_active]
    seats = []
    if active:
        seats = yield from seat_rows_steps(event_id=fields["event_id"], seat_ids=active)
        for seat in seats:
            sql.FREE.apply(seat)
        yield sql.free(seat_ids=active)
    yield sql.reserved_seats_release(reservation_id=reservation_id)
    now = timezone.now()
    yield sql.reservation_cancelled(reservation_id=reservation_id, now=now)
    booking = _booking(rows[0], _booked_seats(seat_rows))
    cancelled = replace(booking, status=Reservation.Status.CANCELLED.value, cancelled_at=now)
    return BookingOutcome(booking=cancelled, changed=seats)


# --- The services: the steps run on Django's connection, one transaction each -----------------


def _reservation(booking: Booking, user: AbstractBaseUser) -> Reservation:
    """The booked reservation as a model instance, as saved (no query)."""
    reservation = Reservation(
        id=booking.id,
        user=user,
        event_id=booking.event_id,
        total_price=booking.total_price,
        status=booking.status,
        created_at=booking.created_at,
        cancelled_at=booking.cancelled_at,
    )
    reservation._state.adding = False
    reservation._state.db = transaction.get_connection().alias
    return reservation


def reservation_create(
    *,
    user: AbstractBaseUser,
    event_id: int,
    seat_ids: Sequence[int],
    idempotency_key: str | None = None,
) -> ReservationOutcome:
    """Book seats the caller holds, all or none.

    With an idempotency key, the key is claimed inside the same transaction: a second request
    with the same key waits until the first commits, then gets the first one's reservation back
    instead of booking again."""
    steps = reserve_steps(
        user_id=user.pk, event_id=event_id, seat_ids=seat_ids, idempotency_key=idempotency_key
    )
    with transaction.atomic():
        outcome = run(steps)
        seats_changed_on_commit(event_id=event_id, seats=outcome.changed)
    return ReservationOutcome(
        reservation=_reservation(outcome.booking, user), replayed=outcome.replayed
    )


def reservation_cancel(*, user: AbstractBaseUser, reservation_id: int) -> Reservation:
    """Cancel one of the caller's reservations; its seats become available."""
    with transaction.atomic():
        outcome = run(cancel_steps(user_id=user.pk, reservation_id=reservation_id))
        seats_changed_on_commit(event_id=outcome.booking.event_id, seats=outcome.changed)
    return _reservation(outcome.booking, user)


# --- The ORM's form, for the writes that are not steps (expiry, blocking) ----------------------


def lock_seat_rows(*, event_id: int, seat_ids: Iterable[int]) -> list[Seat]:
    """Lock the event's seats with these ids, in id order; 404 if any is not in the event."""
    wanted = sorted(set(seat_ids))
    seats = list(
        Seat.objects.select_for_update().filter(event_id=event_id, id__in=wanted).order_by("id")
    )
    if len(seats) != len(wanted):
        raise not_in_event(
            event_exists=Event.objects.filter(pk=event_id).exists(),
            wanted=wanted,
            found={seat.id for seat in seats},
        )
    return seats


def save_seats(seats: Sequence[Seat], *, event_id: int) -> None:
    """Save what a SeatWrite did to these seats; watchers hear of it once it commits."""
    if not seats:
        return
    if len(seats) == 1:
        seats[0].save(update_fields=sql.WRITTEN_FIELDS)
    else:
        Seat.objects.bulk_update(seats, sql.WRITTEN_FIELDS)
    seats_changed_on_commit(event_id=event_id, seats=seats)
