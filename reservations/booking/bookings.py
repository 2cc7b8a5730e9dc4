"""Booking held seats, and cancelling a booking: written once as steps (see holds.py).

``reserve_steps`` and ``cancel_steps`` yield SQL (sql/) and receive rows, like the hold steps,
so the same rules run on Django's connection (``runner.run``: the views of the operation
table's rows) and on the fast path's async connection (api/fast.py). The
locking order of locking.py holds: the caller's row, then (cancel) the reservation's
row, then the seat rows in id order, then the clock and the checks.

``locking.seat_rows_locked`` and ``seats_written`` are the same locking and writing on Django's
connection, for the sweeps (expiry.py, payments/settling.py).
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ..exceptions import (
    AlreadyCancelled,
    CompanionRequiresAccessible,
    IdempotencyMismatch,
    LockRequired,
    NotFound,
    PriceChanged,
    TooLateToCancel,
)
from ..models import Reservation, Seat
from ..rules import seat_is_held_by
from ..seating import companions_without_accessible
from ..signals import seats_changed_on_commit
from . import sql
from .buyer_policy import BuyerPolicy, begun
from .holds import buyer_state_steps, caller_row_steps
from .locking import seat_rows_steps, seat_rows_written_steps
from .runner import run
from .sql import Steps, amount_of, moment_of

Status = Reservation.Status


@dataclass(frozen=True)
class ReservedSeatRecord:
    id: int
    label: str
    section: str
    row: str
    price: Decimal  # as sold, whatever its category costs now


@dataclass(frozen=True)
class ReservationRecord:
    """A reservation as its answer shows it (presenters.reservation_json)."""

    id: int
    status: str
    created_at: datetime
    cancelled_at: datetime | None
    total_price: Decimal
    event_id: int
    event_name: str
    event_starts_at: datetime
    seats: list[ReservedSeatRecord]  # by seat id
    pay_by: datetime | None = None  # awaiting payment: paid by then, or its seats go


@dataclass(frozen=True)
class ReservationChange:
    """What a reserve or a cancel did."""

    reservation: ReservationRecord
    replayed: bool  # an Idempotency-Key seen before: the first request's booking, unchanged
    changed: list[Seat]  # the seats whose state changed: what watchers are told
    buyer: int | None = None  # whose bookings changed (none on a replay): their sockets are told
    revoked: list[int] = field(default_factory=list)  # a cancel's tickets: the door is told

    @property
    def event_id(self) -> int:
        return self.reservation.event_id


def reserve_fingerprint(*, event_id: int, seat_ids: Sequence[int]) -> str:
    canonical = f"{event_id}:{','.join(str(i) for i in sorted(seat_ids))}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def booking_read_steps(reservation_id: int) -> Steps[ReservationRecord]:
    """A committed reservation as its answer shows it."""
    reservation = yield sql.reservation_read(reservation_id=reservation_id)
    ((status, total, created_at, cancelled_at, event_id, name, starts_at, pay_by),) = reservation
    rows = yield sql.reserved_seats_read(reservation_id=reservation_id)
    return ReservationRecord(
        id=reservation_id,
        status=status,
        created_at=moment_of(created_at),
        cancelled_at=moment_of(cancelled_at),
        total_price=amount_of(total),
        event_id=event_id,
        event_name=name,
        event_starts_at=moment_of(starts_at),
        seats=[
            ReservedSeatRecord(i, label, section, row, amount_of(p))
            for i, label, section, row, p in rows
        ],
        pay_by=moment_of(pay_by),
    )


def reserve_steps(
    *,
    user_id: int,
    event_id: int,
    seat_ids: Sequence[int],
    idempotency_key: str | None = None,
    expected_total: Decimal | None = None,
) -> Steps[ReservationChange]:
    """Book seats the caller holds, all or none; with `expected_total` (what the buyer was
    shown), only at that total: seats repriced since are `price_changed`. Where the event takes
    payment online, the booking is an order awaiting payment (its seats `paying`) until the
    policy's `pay_by`; payments/settling.py ends it. Their booked seats
    of the event may not pass its purchase limit (only a limit lowered since they held can
    make them: every hold counted them already); a booking that reaches it ends the buyer's
    turn of the event's waiting room.

    With an idempotency key, the key is claimed right after the caller's row lock, in the same
    transaction: a second request with the same key waits (on the caller's row, and on the key's
    unique index behind it) until the first commits, then finds the key and gets the first one's
    reservation back instead of booking again; with another body, `idempotency_mismatch`. A
    booking that fails rolls its claim back with it.
    """
    buyer = yield from buyer_state_steps(
        user_id=user_id, event_id=event_id, address=None, now=timezone.now()
    )
    policy = BuyerPolicy.from_settings()
    policy.active(buyer.state)
    key_id = None
    if idempotency_key:
        fingerprint = reserve_fingerprint(event_id=event_id, seat_ids=seat_ids)
        claimed = yield sql.key_claim(
            user_id=user_id, key=idempotency_key, fingerprint=fingerprint, now=timezone.now()
        )
        if not claimed:
            ((first_fingerprint, reservation_id),) = yield sql.key_get(
                user_id=user_id, key=idempotency_key
            )
            if first_fingerprint != fingerprint:
                raise IdempotencyMismatch(
                    "This Idempotency-Key was already used with a different request."
                )
            booking = yield from booking_read_steps(reservation_id)
            return ReservationChange(reservation=booking, replayed=True, changed=[])
        ((key_id,),) = claimed

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

    sold = [ReservedSeatRecord(s.id, s.label, s.section, s.row, amount_of(s.price)) for s in seats]
    total = sum((s.price for s in sold), Decimal("0.00"))
    if expected_total is not None and expected_total != total:
        raise PriceChanged(
            f"The price of these seats changed: they now cost {total} in all, not "
            f"{expected_total}. Check the new prices and reserve again.",
            total=f"{total:.2f}",
        )
    room_left = policy.book(buyer.state, now=now, adding=len(seats))
    held_until = max(moment_of(s.held_until) for s in seats)
    pay_by = policy.pay_by(buyer.state, held_until=held_until, total=total)
    ((reservation_id, name, starts_at),) = yield sql.reservation_insert(
        user_id=user_id, event_id=event_id, total=total, now=now, pay_by=pay_by
    )
    yield sql.reserved_seats_insert(
        reservation_id=reservation_id, prices=[(s.id, s.price) for s in sold]
    )
    write = sql.BOOK if pay_by is None else sql.PAY
    for seat in seats:
        write.apply(seat, user_id=user_id)
    yield sql.written(write, seat_ids=[s.id for s in seats], user_id=user_id)
    if key_id is not None:
        yield sql.key_fill(key_id=key_id, reservation_id=reservation_id)
    if room_left <= 0:  # they have booked their limit: their turn of a waiting room is over
        yield sql.queue_turn_end(event_id=event_id, user_id=user_id, now=now)
    booking = ReservationRecord(
        id=reservation_id,
        status=(Status.CONFIRMED if pay_by is None else Status.AWAITING_PAYMENT).value,
        created_at=now,
        cancelled_at=None,
        total_price=total,
        event_id=event_id,
        event_name=name,
        event_starts_at=moment_of(starts_at),
        seats=sold,
        pay_by=pay_by,
    )
    return ReservationChange(reservation=booking, replayed=False, changed=seats, buyer=user_id)


def cancel_steps(
    *, user_id: int, reservation_id: int, account_checked: bool = False
) -> Steps[ReservationChange]:
    """Cancel one of the caller's reservations; its seats become available.

    The caller's account is checked under its row lock unless `account_checked` says that it
    was already (Django's authentication), or that staff cancel for the user (the admin: a
    deactivated account's bookings can still be cancelled).
    """
    if not account_checked:
        yield from caller_row_steps(user_id)
    rows = yield sql.reservation_for_update(reservation_id=reservation_id, user_id=user_id)
    if not rows:
        raise NotFound("No such reservation.")
    ((event_id, status, total, created_at, name, starts_at),) = rows
    if status == Status.CANCELLED:
        raise AlreadyCancelled("This reservation is already cancelled.")
    if status == Status.EXPIRED:
        raise AlreadyCancelled("This order was not paid in time: its seats are already free.")
    paid_for = status == Status.CONFIRMED
    if paid_for and begun(moment_of(starts_at), timezone.now()):
        raise TooLateToCancel("This event has begun: ask its organiser for a refund.")

    # Only a cancel changes a reservation's seat list, under the reservation's row lock.
    released = yield sql.reserved_seats_release(reservation_id=reservation_id)
    if paid_for:
        [(let_in,)] = yield sql.reservation_let_in(reservation_id=reservation_id)
        if let_in:
            raise TooLateToCancel("This booking was let in at the door: ask its organiser.")
    prices = {seat: price for seat, price, _ in released}
    now = timezone.now()
    cancelled = sql.reservation_cancelled(reservation_id=reservation_id, now=now)
    seats = []
    if prices:
        seats = yield from seat_rows_written_steps(
            sql.FREE, event_id=event_id, seat_ids=list(prices), with_writes=(cancelled,)
        )
    else:
        yield cancelled
    booking = ReservationRecord(
        id=reservation_id,
        status=Status.CANCELLED.value,
        created_at=moment_of(created_at),
        cancelled_at=now,
        total_price=amount_of(total),
        event_id=event_id,
        event_name=name,
        event_starts_at=moment_of(starts_at),
        seats=[
            ReservedSeatRecord(s.id, s.label, s.section, s.row, amount_of(prices[s.id]))
            for s in seats
        ],
    )
    revoked = [ticket for _, _, ticket in released]
    return ReservationChange(booking, replayed=False, changed=seats, buyer=user_id, revoked=revoked)


# --- The same locking through the ORM, for the sweep and for blocking ------------------------


def seats_written(seats: Sequence[Seat], write: sql.SeatWrite, *, event_id: int, **values) -> None:
    """`write` on these seats (seats_set); watchers hear of it once it commits."""
    seats_set(seats, write, values)
    seats_changed_on_commit(event_id=event_id, seats=seats)


def seats_set(
    seats: Sequence[Seat],
    write: sql.SeatWrite,
    values: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
) -> None:
    """`write` (its parameters: `values`) and these plain `fields`, the same for every one of
    these seats (locked already), on the Seats in memory and in one UPDATE of them all, from the
    same words so that the two cannot differ: the ORM's bulk_update spells a CASE per row and
    column, seconds of CPU for thousands."""
    values, fields = values or {}, fields or {}
    for seat in seats:
        write.apply(seat, **values)
        for name, value in fields.items():
            setattr(seat, name, value)
    if seats:
        run(_updated_steps(write, [seat.id for seat in seats], values, fields))


def _updated_steps(
    write: sql.SeatWrite, seat_ids: list[int], values: Mapping[str, Any], fields: Mapping[str, Any]
) -> Steps[None]:
    columns = {Seat._meta.get_field(name).column: value for name, value in fields.items()}
    assignments = "".join(f", {column} = %(set_{column})s" for column in columns)
    yield sql.Statement(
        f"{write.update_sql()}{assignments} WHERE id IN (%(seat_ids)s)",
        {
            "seat_ids": sql.id_table(seat_ids),
            **values,
            **{f"set_{column}": value for column, value in columns.items()},
        },
    )
