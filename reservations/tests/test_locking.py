"""The lock order in code (reservations/booking/locking.py): a step function that takes a lock
out of order, or outside a transaction, is refused before the statement is sent."""

import asyncio

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reservations.booking import sql
from reservations.booking.bookings import seats_set
from reservations.booking.locking import (
    LockOrderBroken,
    seat_rows_locked,
    seat_rows_steps,
    seat_rows_written_steps,
)
from reservations.booking.runner import run, run_async
from reservations.exceptions import NotFound
from reservations.models import Seat
from reservations.services.blocking import ON_SALE

from .factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


def seats_then_caller(*, user_id, event_id, seat_ids):
    """Seat rows first, then the caller's row: the order two calls could deadlock on."""
    yield sql.seats_for_update(event_id=event_id, seat_ids=seat_ids)
    yield sql.user_for_update(user_id=user_id)
    yield sql.written(sql.FREE, seat_ids=seat_ids)


def caller_then_seats(*, user_id, event_id, seat_ids):
    yield sql.user_for_update(user_id=user_id)
    yield sql.seats_for_update(event_id=event_id, seat_ids=seat_ids)
    return "locked in order"


def test_a_caller_row_locked_after_seat_rows_is_refused_and_nothing_is_written():
    user, event = UserFactory(), event_with_seats(rows=1, seats_per_row=2)
    seat_ids = sorted(event.seats.values_list("id", flat=True))
    Seat.objects.filter(id__in=seat_ids).update(status="reserved")

    with pytest.raises(LockOrderBroken, match="CALLER after SEATS"), transaction.atomic():
        run(seats_then_caller(user_id=user.id, event_id=event.id, seat_ids=seat_ids))

    assert set(Seat.objects.filter(id__in=seat_ids).values_list("status", flat=True)) == {
        "reserved"
    }


def test_locks_in_the_order_are_taken():
    user, event = UserFactory(), event_with_seats(rows=1, seats_per_row=2)
    seat_ids = list(event.seats.values_list("id", flat=True))
    with transaction.atomic():
        outcome = run(caller_then_seats(user_id=user.id, event_id=event.id, seat_ids=seat_ids))
    assert outcome == "locked in order"


def test_seats_written_by_their_lock_are_the_events_or_none_is_written():
    """The write that locks its seats itself (settle, cancel) checks their event on what it
    wrote: a seat of another event is a 404, and the transaction writes nothing."""
    event, other = (
        event_with_seats(rows=1, seats_per_row=2),
        event_with_seats(rows=1, seats_per_row=1),
    )
    ours, theirs = sorted(event.seats.values_list("id", flat=True)), other.seats.get().id
    Seat.objects.filter(id__in=[*ours, theirs]).update(status="reserved")

    with pytest.raises(NotFound) as refused, transaction.atomic():
        run(seat_rows_written_steps(sql.FREE, event_id=event.id, seat_ids=[*ours, theirs]))

    assert refused.value.details["seats"] == [theirs]
    assert set(Seat.objects.values_list("status", flat=True)) == {"reserved"}
    with CaptureQueriesContext(connection) as sent, transaction.atomic():
        freed = run(seat_rows_written_steps(sql.FREE, event_id=event.id, seat_ids=ours[::-1]))
    assert [(s.id, s.status, s.version) for s in freed] == [(i, "available", 1) for i in ours]
    assert sum("FOR UPDATE" in query["sql"] for query in sent.captured_queries) == 1


def test_a_lock_outside_a_transaction_is_refused_on_djangos_connection():
    event = event_with_seats(rows=1, seats_per_row=1)
    seat_ids = list(event.seats.values_list("id", flat=True))

    with pytest.raises(LockOrderBroken, match="outside a transaction"):
        run(seat_rows_steps(event_id=event.id, seat_ids=seat_ids))
    with pytest.raises(LockOrderBroken, match="outside a transaction"):
        seat_rows_locked(event_id=event.id, seat_ids=seat_ids)


def test_a_lock_outside_a_transaction_is_refused_on_the_loops_connection():
    event = event_with_seats(rows=1, seats_per_row=1)
    seat_ids = list(event.seats.values_list("id", flat=True))
    params = {k: v for k, v in connection.get_connection_params().items() if k != "context"}
    params.pop("cursor_factory")
    params.pop("prepare_threshold", None)

    async def locks(in_transaction: bool):
        async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
            steps = seat_rows_steps(event_id=event.id, seat_ids=seat_ids)
            if not in_transaction:
                return await run_async(steps, conn)
            async with conn.transaction():
                return await run_async(steps, conn)

    assert [seat.id for seat in asyncio.run(locks(True))] == seat_ids
    with pytest.raises(LockOrderBroken, match="outside a transaction"):
        asyncio.run(locks(False))


def test_seats_set_are_in_memory_what_the_database_keeps_of_them():
    """What staff's writes announce and answer (the Seats in memory) is what the one UPDATE
    wrote: a held seat sold off sale remembers its hold and goes back on sale, in both."""
    user, event = UserFactory(), event_with_seats(rows=1, seats_per_row=3)
    held, kept, free = event.seats.order_by("id")
    hold = {"held_by_id": user.id, "held_since": timezone.now(), "held_from": "10.0.0.0/24"}
    Seat.objects.filter(id=held.id).update(status="locked", held_until=timezone.now(), **hold)
    Seat.objects.filter(id=kept.id).update(
        status="reserved", blocked=True, off_sale="kept", blocked_reason="press", version=4
    )
    with transaction.atomic():
        seats = seat_rows_locked(event_id=event.id, seat_ids=[held.id, kept.id, free.id])
        seats_set(seats, sql.BOOK, {"user_id": user.id}, ON_SALE)

    fields = [f.attname for f in Seat._meta.concrete_fields]
    for seat in seats:
        kept_row = Seat.objects.get(id=seat.id)
        assert {f: getattr(seat, f) for f in fields} == {f: getattr(kept_row, f) for f in fields}
    assert [(s.status, s.blocked, s.released_by_id) for s in seats] == [
        ("reserved", False, user.id),
        ("reserved", False, None),
        ("reserved", False, None),
    ]
