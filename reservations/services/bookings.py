"""Booking held seats, and cancelling a booking: the ORM path, seat rows locked in id order."""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
from ..models import Event, IdempotencyKey, Reservation, ReservedSeat, Seat
from ..rules import seat_is_held_by
from ..seating import companions_without_accessible
from ..signals import seats_changed_on_commit
from . import sql
from .holds import caller_row_steps, not_in_event
from .runner import run


@dataclass(frozen=True)
class ReservationOutcome:
    reservation: Reservation
    replayed: bool


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


def _reserve_fingerprint(*, event_id: int, seat_ids: Sequence[int]) -> str:
    canonical = f"{event_id}:{','.join(str(i) for i in sorted(seat_ids))}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def reservation_create(
    *,
    user: AbstractBaseUser,
    event_id: int,
    seat_ids: Sequence[int],
    idempotency_key: str | None = None,
) -> ReservationOutcome:
    """Book seats the caller holds, all or none.

    With an idempotency key, the key row is claimed first, inside the same transaction: a second
    request with the same key waits on the unique index until the first commits, then finds the
    key and gets the first one's reservation back instead of booking again.
    """
    with transaction.atomic():
        if idempotency_key:
            fingerprint = _reserve_fingerprint(event_id=event_id, seat_ids=seat_ids)
            key, created = IdempotencyKey.objects.select_related("reservation").get_or_create(
                user=user, key=idempotency_key, defaults={"request_fingerprint": fingerprint}
            )
            if not created:
                if key.request_fingerprint != fingerprint:
                    raise IdempotencyMismatch(
                        "This Idempotency-Key was already used with a different request."
                    )
                return ReservationOutcome(reservation=key.reservation, replayed=True)

        run(caller_row_steps(user.pk))
        seats = lock_seat_rows(event_id=event_id, seat_ids=seat_ids)
        now = timezone.now()
        not_held = [s for s in seats if not seat_is_held_by(s, user.pk, now)]
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

        total = sum((s.price for s in seats), Decimal("0.00"))
        reservation = Reservation.objects.create(user=user, event_id=event_id, total_price=total)
        ReservedSeat.objects.bulk_create(
            [ReservedSeat(reservation=reservation, seat=s, price=s.price) for s in seats]
        )
        for seat in seats:
            sql.BOOK.apply(seat, user_id=user.pk)
        save_seats(seats, event_id=event_id)

        if idempotency_key:
            IdempotencyKey.objects.filter(pk=key.pk).update(reservation=reservation)
        return ReservationOutcome(reservation=reservation, replayed=False)


def reservation_cancel(*, user: AbstractBaseUser, reservation_id: int) -> Reservation:
    """Cancel one of the caller's reservations; its seats become available."""
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_for_update()
            .filter(pk=reservation_id, user=user)
            .select_related("event")
            .first()
        )
        if reservation is None:
            raise NotFound("No such reservation.")
        if reservation.status == Reservation.Status.CANCELLED:
            raise AlreadyCancelled("This reservation is already cancelled.")

        seat_ids = list(
            reservation.reserved_seats.filter(is_active=True).values_list("seat_id", flat=True)
        )
        seats = lock_seat_rows(event_id=reservation.event_id, seat_ids=seat_ids)
        for seat in seats:
            sql.FREE.apply(seat)
        save_seats(seats, event_id=reservation.event_id)
        reservation.reserved_seats.filter(is_active=True).update(is_active=False)
        reservation.status = Reservation.Status.CANCELLED
        reservation.cancelled_at = timezone.now()
        reservation.save(update_fields=["status", "cancelled_at"])
        return reservation
