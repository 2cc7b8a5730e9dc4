"""The booking rules: the only code that changes seats.

Locking, written down once:

1. Every service is one ``transaction.atomic()``.
2. When a service touches the caller's holds (lock, lock several, unlock, reserve) it first
   takes the caller's user row ``FOR UPDATE``: the hold limit counts seats across rows that
   the request does not lock, and this makes one user's concurrent holds queue behind each
   other.
3. Then it takes the seat rows ``FOR UPDATE`` ordered by id. Two multi-seat
   requests therefore lock their common seats in the same order and cannot deadlock.
4. Only after the rows are locked does it read the clock and check availability, so the check
   and the write see the same committed state ("check at commit time"). The one-seat lock
   and one-seat unlock first try a single conditional UPDATE whose clock is read just before
   it, written so that it can only refuse more than the rule; a refused click is checked again
   this way.
5. Each changed seat's ``version`` grows by one in the same transaction, and the change is
   handed to the broadcaster with ``transaction.on_commit``: a rolled-back transaction tells
   nobody anything.

A lock whose ``locked_until`` has passed is available everywhere at once, whether or not the
sweeper (``locks_expire``) has turned it back yet.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from realtime.broadcast import seats_changed_on_commit

from .exceptions import (
    AccountInactive,
    AlreadyCancelled,
    HoldLimitReached,
    IdempotencyMismatch,
    LockRequired,
    NotFound,
    NotHolder,
    SeatUnavailable,
)
from .models import (
    Event,
    IdempotencyKey,
    Reservation,
    ReservedSeat,
    Seat,
    effective_status,
    ended_lock_q,
)

Status = Seat.Status


def seat_is_held_by(seat: Seat, user_id: int, now: datetime) -> bool:
    return (
        effective_status(seat.status, seat.locked_until, now) == Status.LOCKED
        and seat.locked_by_id == user_id
    )


def seat_is_free(seat: Seat, now: datetime) -> bool:
    return effective_status(seat.status, seat.locked_until, now) == Status.AVAILABLE


def _lock_user_row(user: AbstractBaseUser) -> None:
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()


def _lock_seat_rows(*, event_id: int, seat_ids: Iterable[int]) -> list[Seat]:
    """Lock the event's seats with these ids, in id order; 404 if any is not in the event."""
    wanted = sorted(set(seat_ids))
    seats = list(
        Seat.objects.select_for_update().filter(event_id=event_id, id__in=wanted).order_by("id")
    )
    if len(seats) != len(wanted):
        raise _not_in_event(
            event_exists=Event.objects.filter(pk=event_id).exists(),
            wanted=wanted,
            found={seat.id for seat in seats},
        )
    return seats


def _not_in_event(*, event_exists: bool, wanted: list[int], found: set[int]) -> NotFound:
    """The 404 of a seat lock that did not find every seat it asked for."""
    if not event_exists:
        return NotFound("No such event.")
    missing = [seat_id for seat_id in wanted if seat_id not in found]
    return NotFound("Some seats are not part of this event.", seats=missing)


def _hold(seat: Seat, *, user_id: int, until: datetime) -> None:
    seat.status = Status.LOCKED
    seat.locked_by_id = user_id
    seat.locked_until = until
    seat.reserved_by = None
    seat.version += 1


def _book(seat: Seat, *, user: AbstractBaseUser) -> None:
    seat.status = Status.RESERVED
    seat.locked_by = None
    seat.locked_until = None
    seat.reserved_by = user
    seat.version += 1


def _free(seat: Seat) -> None:
    seat.status = Status.AVAILABLE
    seat.locked_by = None
    seat.locked_until = None
    seat.reserved_by = None
    seat.version += 1


_SEAT_STATE_FIELDS = ["status", "locked_by", "locked_until", "reserved_by", "version"]


def _save_seats(seats: Sequence[Seat], *, event_id: int) -> None:
    if not seats:
        return
    if len(seats) == 1:
        seats[0].save(update_fields=_SEAT_STATE_FIELDS)
    else:
        Seat.objects.bulk_update(seats, _SEAT_STATE_FIELDS)
    seats_changed_on_commit(event_id=event_id, seats=seats)


def _lock_deadline(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.SEAT_LOCK_SECONDS)


# --- Holds: the hot path of an on-sale ------------------------------------------------------
#
# Lock and unlock are written once, as steps that yield SQL and receive its rows ("sans-I/O"):
# run_steps() drives them on Django's connection for the views and the tests, and
# reservations/api/fast.py drives the very same steps on an async psycopg connection for the
# bearer-token fast path. Raw SQL because the ORM's query building was most of a hold's CPU.

_SEAT_TABLE = Seat._meta.db_table
# The seat columns the steps read, in this order; _seat_from_row builds a Seat from them.
_SEAT_FIELDS = (
    "id",
    "label",
    "section",
    "row",
    "number",
    "price",
    "status",
    "version",
    "locked_until",
    "locked_by_id",
    "reserved_by_id",
)
_SEAT_COLUMNS = ", ".join(_SEAT_FIELDS)
_USER_LOCK_SQL = "SELECT is_active FROM {table} WHERE id = %s FOR UPDATE"
_SEATS_FOR_UPDATE_SQL = (
    f"SELECT {_SEAT_COLUMNS} FROM {_SEAT_TABLE} WHERE event_id = %s AND id IN ({{ids}}) "
    f"ORDER BY id FOR UPDATE"
)
_HELD_DEADLINES_SQL = (
    f"SELECT locked_until FROM {_SEAT_TABLE} "
    f"WHERE event_id = %s AND locked_by_id = %s AND status = '{Status.LOCKED.value}'"
)
_EVENT_EXISTS_SQL = f"SELECT 1 FROM {Event._meta.db_table} WHERE id = %s"
# What a hold and a release write (their Python mirrors: _hold and _free).
_SET_HELD = (
    f"UPDATE {_SEAT_TABLE} SET status = '{Status.LOCKED.value}', locked_by_id = %s, "
    f"locked_until = %s, reserved_by_id = NULL, version = version + 1"
)
_SET_FREE = (
    f"UPDATE {_SEAT_TABLE} SET status = '{Status.AVAILABLE.value}', locked_by_id = NULL, "
    f"locked_until = NULL, reserved_by_id = NULL, version = version + 1"
)
_HOLD_SQL = f"{_SET_HELD} WHERE id IN ({{ids}})"
_FREE_SQL = f"{_SET_FREE} WHERE id IN ({{ids}})"


# The common click of an on-sale, a free seat under the hold limit, as one statement after the
# user row lock: the UPDATE takes the seat row itself, and its condition is the rule in SQL (free
# or a lock that has ended, as models.effective_status has it; fewer live holds than the limit).
# Its clock is read before the seat row is locked, so it can only refuse more than the rule: a
# click it refuses is decided again the long way, under the locks, which also says why.
_HOLD_IF_FREE_SQL = (
    f"{_SET_HELD} WHERE event_id = %s AND id = %s AND (status = '{Status.AVAILABLE.value}' OR "
    f"(status = '{Status.LOCKED.value}' AND (locked_until IS NULL OR locked_until <= %s))) "
    f"AND (SELECT count(*) FROM {_SEAT_TABLE} h WHERE h.event_id = %s AND h.locked_by_id = %s "
    f"AND h.status = '{Status.LOCKED.value}' AND h.locked_until > %s) < %s "
    f"RETURNING {_SEAT_COLUMNS}"
)


# The same for releasing a live hold of the caller's. Here a clock read early would accept more
# than the rule (a hold ending between the read and the row lock), so the statement only takes
# holds with more than a second left; the rest go the long way.
_FREE_IF_HELD_SQL = (
    f"{_SET_FREE} WHERE event_id = %s AND id = %s AND status = '{Status.LOCKED.value}' "
    f"AND locked_by_id = %s AND locked_until > %s "
    f"RETURNING {_SEAT_COLUMNS}"
)
_FREE_IF_HELD_MARGIN = timedelta(seconds=1)


def _in_list(sql: str, ids: Sequence[int]) -> str:
    return sql.format(ids=", ".join(["%s"] * len(ids)))


@dataclass(frozen=True)
class HoldOutcome:
    seats: list[Seat]  # every seat asked for, as it stands after the change
    changed: list[Seat]  # the ones whose state changed: what watchers are told


def _seat_from_row(row: Sequence, event_id: int) -> Seat:
    return Seat(event_id=event_id, **dict(zip(_SEAT_FIELDS, row, strict=True)))


def _changed_one(rows: list, event_id: int) -> HoldOutcome:
    """The outcome of a one-statement lock or unlock that changed its seat."""
    (seat,) = [_seat_from_row(row, event_id) for row in rows]
    return HoldOutcome(seats=[seat], changed=[seat])


def _caller_row_steps(user_id: int):
    """Lock the caller's row (rule 2) and check the account still may act."""
    table = get_user_model()._meta.db_table
    rows = yield _USER_LOCK_SQL.format(table=table), (user_id,)
    if not rows or not rows[0][0]:
        raise AccountInactive("Log in, or send a valid bearer token.")


def _seat_rows_steps(*, event_id: int, seat_ids: Iterable[int]):
    """Lock the event's seats with these ids in id order (rule 3); 404 if any is not in it."""
    wanted = sorted(set(seat_ids))
    rows = yield _in_list(_SEATS_FOR_UPDATE_SQL, wanted), (event_id, *wanted)
    if len(rows) != len(wanted):
        event_exists = bool((yield _EVENT_EXISTS_SQL, (event_id,)))
        raise _not_in_event(event_exists=event_exists, wanted=wanted, found={r[0] for r in rows})
    return [_seat_from_row(row, event_id) for row in rows]


def seats_lock_steps(*, user_id: int, event_id: int, seat_ids: Sequence[int]):
    """Hold seats of one event: all of them, or none and an error listing the blockers.

    Holding a seat you already hold changes nothing (and does not extend it).
    """
    yield from _caller_row_steps(user_id)
    return (yield from _hold_checked_steps(user_id=user_id, event_id=event_id, seat_ids=seat_ids))


def _hold_checked_steps(*, user_id: int, event_id: int, seat_ids: Sequence[int]):
    """seats_lock_steps after the user row lock: the seat rows locked, then every check."""
    seats = yield from _seat_rows_steps(event_id=event_id, seat_ids=seat_ids)
    now = timezone.now()

    in_the_way = [
        s for s in seats if not seat_is_free(s, now) and not seat_is_held_by(s, user_id, now)
    ]
    if in_the_way:
        labels = ", ".join(s.label for s in in_the_way)
        if len(in_the_way) == 1:
            message = f"Seat {labels} is already held or booked by another customer."
        else:
            message = f"Seats {labels} are already held or booked by other customers."
        raise SeatUnavailable(message, seats=[s.id for s in in_the_way])

    to_hold = [s for s in seats if not seat_is_held_by(s, user_id, now)]
    if to_hold:
        limit = settings.SEAT_HOLD_LIMIT
        deadlines = yield _HELD_DEADLINES_SQL, (event_id, user_id)
        held = sum(
            1
            for (until,) in deadlines
            if effective_status(Status.LOCKED, until, now) == Status.LOCKED
        )
        if held + len(to_hold) > limit:
            raise HoldLimitReached(
                f"You can hold at most {limit} seats of this event at once.", limit=limit
            )
        until = _lock_deadline(now)
        for seat in to_hold:
            _hold(seat, user_id=user_id, until=until)
        held_ids = [s.id for s in to_hold]
        yield _in_list(_HOLD_SQL, held_ids), (user_id, until, *held_ids)
    return HoldOutcome(seats=seats, changed=to_hold)


def seat_lock_steps(*, user_id: int, event_id: int, seat_id: int):
    """Hold one seat: seats_lock_steps, with the common case in one statement."""
    yield from _caller_row_steps(user_id)
    now = timezone.now()
    limit = settings.SEAT_HOLD_LIMIT
    rows = yield (
        _HOLD_IF_FREE_SQL,
        (
            user_id,
            _lock_deadline(now),
            event_id,
            seat_id,
            now,
            event_id,
            user_id,
            now,
            limit,
        ),
    )
    if rows:
        return _changed_one(rows, event_id)
    return (yield from _hold_checked_steps(user_id=user_id, event_id=event_id, seat_ids=[seat_id]))


def seat_unlock_steps(*, user_id: int, event_id: int, seat_id: int):
    """Release a seat the caller holds. A lock that has ended is already gone: not_holder."""
    yield from _caller_row_steps(user_id)
    still_held_at = timezone.now() + _FREE_IF_HELD_MARGIN
    rows = yield _FREE_IF_HELD_SQL, (event_id, seat_id, user_id, still_held_at)
    if rows:
        return _changed_one(rows, event_id)
    (seat,) = yield from _seat_rows_steps(event_id=event_id, seat_ids=[seat_id])
    if not seat_is_held_by(seat, user_id, timezone.now()):
        raise NotHolder(f"You do not hold seat {seat.label}.", seats=[seat.id])
    _free(seat)
    yield _in_list(_FREE_SQL, [seat.id]), (seat.id,)
    return HoldOutcome(seats=[seat], changed=[seat])


def run_steps(steps, *, event_id: int) -> HoldOutcome:
    """Drive hold steps on Django's connection, in one transaction; watchers hear after commit."""
    # SQLite (the embedded default) has no FOR UPDATE: its write transactions are serial.
    row_locks = connection.features.has_select_for_update
    with transaction.atomic(), connection.cursor() as cursor:
        try:
            statement = next(steps)
            while True:
                sql, params = statement
                cursor.execute(sql if row_locks else sql.replace(" FOR UPDATE", ""), params)
                rows = cursor.fetchall() if cursor.description else []
                statement = steps.send(rows)
        except StopIteration as finished:
            outcome = finished.value
        seats_changed_on_commit(event_id=event_id, seats=outcome.changed)
        return outcome


def seat_lock(*, user: AbstractBaseUser, event_id: int, seat_id: int) -> Seat:
    """Hold one seat. Holding a seat you already hold changes nothing (and does not extend it)."""
    steps = seat_lock_steps(user_id=user.pk, event_id=event_id, seat_id=seat_id)
    return run_steps(steps, event_id=event_id).seats[0]


def seats_lock(*, user: AbstractBaseUser, event_id: int, seat_ids: Sequence[int]) -> list[Seat]:
    """Hold several seats of one event: all of them, or none and an error listing the blockers."""
    steps = seats_lock_steps(user_id=user.pk, event_id=event_id, seat_ids=seat_ids)
    return run_steps(steps, event_id=event_id).seats


def seat_unlock(*, user: AbstractBaseUser, event_id: int, seat_id: int) -> Seat:
    """Release a seat the caller holds. A lock that has ended is already gone: not_holder."""
    steps = seat_unlock_steps(user_id=user.pk, event_id=event_id, seat_id=seat_id)
    return run_steps(steps, event_id=event_id).seats[0]


@dataclass(frozen=True)
class ReservationOutcome:
    reservation: Reservation
    replayed: bool


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

        _lock_user_row(user)
        seats = _lock_seat_rows(event_id=event_id, seat_ids=seat_ids)
        now = timezone.now()
        not_held = [s for s in seats if not seat_is_held_by(s, user.pk, now)]
        if not_held:
            labels = ", ".join(s.label for s in not_held)
            raise LockRequired(
                f"Hold every seat before booking it; not held by you (or expired): {labels}.",
                seats=[s.id for s in not_held],
            )

        total = sum((s.price for s in seats), Decimal("0.00"))
        reservation = Reservation.objects.create(user=user, event_id=event_id, total_price=total)
        ReservedSeat.objects.bulk_create(
            [ReservedSeat(reservation=reservation, seat=s, price=s.price) for s in seats]
        )
        for seat in seats:
            _book(seat, user=user)
        _save_seats(seats, event_id=event_id)

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
        seats = _lock_seat_rows(event_id=reservation.event_id, seat_ids=seat_ids)
        for seat in seats:
            _free(seat)
        _save_seats(seats, event_id=reservation.event_id)
        reservation.reserved_seats.filter(is_active=True).update(is_active=False)
        reservation.status = Reservation.Status.CANCELLED
        reservation.cancelled_at = timezone.now()
        reservation.save(update_fields=["status", "cancelled_at"])
        return reservation


def locks_expire(*, now: datetime | None = None, batch_size: int = 500) -> list[Seat]:
    """Turn ended locks back to available (version + 1), one transaction per event.

    ``skip_locked`` lets two sweepers run at once without waiting on or double-counting each
    other: a row one sweeper has taken is skipped by the other, and the re-check under the lock
    (``locked_until <= now``) drops a row that was taken again in the meantime.
    """
    now = now or timezone.now()
    expired: list[Seat] = []
    event_ids = (
        Seat.objects.filter(ended_lock_q(now))
        .order_by()
        .values_list("event_id", flat=True)
        .distinct()
    )
    for event_id in list(event_ids):
        while True:
            with transaction.atomic():
                seats = list(
                    Seat.objects.select_for_update(skip_locked=True)
                    .filter(ended_lock_q(now), event_id=event_id)
                    .order_by("id")[:batch_size]
                )
                for seat in seats:
                    _free(seat)
                _save_seats(seats, event_id=event_id)
            expired.extend(seats)
            if len(seats) < batch_size:
                break
    return expired


def idempotency_keys_purge(*, older_than: timedelta = timedelta(hours=48)) -> int:
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def event_create_with_seats(
    *,
    name: str,
    starts_at: datetime,
    rows: int,
    seats_per_row: int,
    price: Decimal,
    sections: int = 1,
    venue: str = "",
    description: str = "",
) -> Event:
    """An event with a grid of seats: rows split into `sections`, labelled A1, A2, ... per row."""
    with transaction.atomic():
        event = Event.objects.create(
            name=name, venue=venue, description=description, starts_at=starts_at
        )
        Seat.objects.bulk_create(
            seat_grid(
                event=event, rows=rows, seats_per_row=seats_per_row, price=price, sections=sections
            ),
            batch_size=2000,
        )
        return event


def row_name(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style row names, so any number of rows has labels."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(ord("A") + remainder) + name
    return name


def seat_grid(
    *, event: Event, rows: int, seats_per_row: int, price: Decimal, sections: int = 1
) -> list[Seat]:
    section_names = ["Floor", "Balcony", "Gallery", "Terrace", "Box"]
    rows_per_section = -(-rows // max(sections, 1))
    seats = []
    for row_index in range(rows):
        section_index = row_index // rows_per_section
        section = (
            section_names[section_index]
            if section_index < len(section_names)
            else f"Section {section_index + 1}"
        )
        row = row_name(row_index)
        for number in range(1, seats_per_row + 1):
            seats.append(
                Seat(
                    event=event,
                    section=section,
                    row=row,
                    number=number,
                    label=f"{row}{number}",
                    price=price,
                )
            )
    return seats
