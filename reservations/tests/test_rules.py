"""The seat-state rules (rules.py) say the same thing in Python, as ORM filters and in SQL, and
each write (booking/sql/) does the same in memory as in SQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from reservations.booking import sql
from reservations.models import Seat
from reservations.rules import (
    FREE_SQL,
    free_q,
    live_hold_sql,
    live_lock_q,
    seat_is_free,
    seat_is_held_by,
)

from .factories import event_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def every_state(alice, now):
    """Seats: available, booked, a lock ended a second ago, one ending now, one still live."""
    event = event_with_seats(rows=1, seats_per_row=5)
    available, booked, ended, ending, live = event.seats.order_by("id")
    Seat.objects.filter(pk=booked.pk).update(status="reserved", reserved_by=alice)
    ends = {ended: now - timedelta(seconds=1), ending: now, live: now + timedelta(minutes=1)}
    for seat, until in ends.items():
        Seat.objects.filter(pk=seat.pk).update(status="locked", held_by=alice, held_until=until)
    return event, {"available": available.id, "ended": ended.id, "ending": ending.id}, live.id


def _sql_ids(event_id, condition, now):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id FROM {sql.SEAT_TABLE} s WHERE s.event_id = %(event_id)s AND {condition}",
            {"event_id": event_id, "now": now},
        )
        return {row[0] for row in cursor.fetchall()}


def test_free_means_available_or_a_lock_that_has_ended_in_all_three_forms(every_state, now):
    event, free, _ = every_state
    seats = Seat.objects.filter(event=event)
    in_python = {s.id for s in seats if seat_is_free(s, now)}
    as_orm = set(seats.filter(free_q(now)).values_list("id", flat=True))
    in_sql = _sql_ids(event.id, FREE_SQL, now)
    assert in_python == as_orm == in_sql == set(free.values())


def test_a_live_hold_is_one_whose_end_is_still_ahead_in_all_three_forms(every_state, alice, now):
    event, _, live = every_state
    seats = Seat.objects.filter(event=event)
    in_python = {s.id for s in seats if seat_is_held_by(s, alice.id, now)}
    as_orm = set(seats.filter(live_lock_q(now)).values_list("id", flat=True))
    in_sql = _sql_ids(event.id, live_hold_sql("s"), now)
    assert in_python == as_orm == in_sql == {live}


@pytest.mark.parametrize("write", [sql.HOLD, sql.BOOK, sql.FREE], ids=["hold", "book", "free"])
@pytest.mark.parametrize("held", [False, True], ids=["from-free", "from-held"])
def test_each_write_does_the_same_in_memory_as_in_sql(write, held, alice, bob, now):
    """From a free seat that remembers Bob's ended hold, or from Alice's hold: a write that
    ends a hold (book, free) remembers it, one that ends none keeps what the seat remembers."""
    event = event_with_seats(rows=1, seats_per_row=2)
    earlier = now - timedelta(minutes=1)
    remembered = {
        "released_by": bob,
        "released_held_since": earlier,
        "released_at": now,
        "released_from": "198.51.100.2",
    }
    hold = {
        "status": "locked",
        "held_by": alice,
        "held_since": earlier,
        "held_until": now,
        "held_from": "198.51.100.1",
    }
    Seat.objects.filter(event=event).update(**remembered, **(hold if held else {}))
    in_memory, in_sql = event.seats.order_by("id")
    values = {
        "user_id": alice.id,
        "until": now + timedelta(minutes=5),
        "since": now,
        "address": "2001:db8:1::/64",
    }

    write.apply(in_memory, **values)
    in_memory.save(update_fields=sql.WRITTEN_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"{write.update_sql()} WHERE id = %(seat)s", {**values, "seat": in_sql.id})

    def state(seat):
        seat.refresh_from_db()
        return (
            seat.status,
            seat.held_by_id,
            seat.held_until,
            seat.held_since,
            seat.reserved_by_id,
            seat.released_by_id,
            seat.released_held_since,
            seat.held_from,
            seat.released_from,
            seat.version,
        )

    assert state(in_memory) == state(in_sql)
    assert state(in_memory)[0] == write.status and state(in_memory)[-1] == 1
    if write.remembers_hold:
        assert state(in_memory)[5:7] == ((alice.id, earlier) if held else (bob.id, earlier))
        assert state(in_memory)[8] == ("198.51.100.1" if held else "198.51.100.2")
