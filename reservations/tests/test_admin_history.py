"""A seat's and a reservation's story on their admin pages: their ledger rows, newest first,
with who, through what and why (reservations/admin/history.py)."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reservations.ledger.context import seat_changes
from reservations.ledger.models import Via

from . import booking_calls
from .factories import event_with_seats

pytestmark = pytest.mark.django_db

ARROW = "\N{RIGHTWARDS ARROW}"


def history_rows(page: str) -> list[list[str]]:
    """The history table's rows, cells as text, without the time (the first cell)."""
    rows = re.findall(r'<tr class="seat-change">(.*?)</tr>', page, re.S)
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td>(.*?)</td>", row)][1:]
        for row in rows
    ]


def booked_and_cancelled_in_the_admin(admin_client, alice, n_seats=2):
    event = event_with_seats(rows=1, seats_per_row=4)
    seats = list(event.seats.order_by("id"))[:n_seats]
    ids = [seat.id for seat in seats]
    with seat_changes(Via.ONLINE):
        booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=ids)
        booking = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=ids)
    reservation = booking.reservation
    admin_client.post(
        "/admin/reservations/reservation/",
        {"action": "cancel_selected", "_selected_action": [reservation.pk]},
    )
    return event, seats, reservation


def test_a_seats_page_shows_its_story_newest_first_with_who_and_why(admin_client, alice):
    event, (seat, _), reservation = booked_and_cancelled_in_the_admin(admin_client, alice)
    admin_client.post(
        "/admin/reservations/seat/",
        {"action": "block_selected", "_selected_action": [seat.pk], "reason": "sound desk"},
    )
    r = str(reservation.pk)
    page = admin_client.get(f"/admin/reservations/seat/{seat.pk}/change/").content.decode()
    assert history_rows(page) == [
        [
            seat.label,
            f"available {ARROW} reserved",
            "4",
            "admin",
            "",
            "root",
            "sound desk (killed)",
            "",
        ],
        [seat.label, f"reserved {ARROW} available", "3", "admin", "alice", "root", "", r],
        [seat.label, f"locked {ARROW} reserved", "2", "online", "alice", "", "", r],
        [seat.label, f"available {ARROW} locked", "1", "online", "alice", "", "", ""],
    ]
    assert f'href="/admin/reservations/reservation/{r}/change/"' in page


def test_a_reservations_page_shows_the_changes_that_name_it(admin_client, alice):
    event, seats, reservation = booked_and_cancelled_in_the_admin(admin_client, alice)
    r = str(reservation.pk)
    page = admin_client.get(f"/admin/reservations/reservation/{r}/change/").content.decode()
    cancelled = [f"reserved {ARROW} available", "3", "admin", "alice", "root", "", r]
    booked = [f"locked {ARROW} reserved", "2", "online", "alice", "", "", r]
    rows = history_rows(page)
    # Newest first; one statement's rows (both seats booked, both freed) in no set order.
    assert [row[1:] for row in rows] == [cancelled, cancelled, booked, booked]
    assert sorted(row[0] for row in rows[:2]) == sorted(row[0] for row in rows[2:])
    assert {row[0] for row in rows} == {seat.label for seat in seats}


def test_a_seat_with_no_change_says_so(admin_client):
    seat = event_with_seats(rows=1, seats_per_row=1).seats.get()
    page = admin_client.get(f"/admin/reservations/seat/{seat.pk}/change/").content.decode()
    assert "No change recorded." in page and history_rows(page) == []


def test_the_history_costs_the_same_queries_for_two_rows_or_twenty(admin_client, alice):
    def queries_of_the_page(n_seats):
        _, _, reservation = booked_and_cancelled_in_the_admin(admin_client, alice, n_seats)
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(f"/admin/reservations/reservation/{reservation.pk}/change/")
        assert len(history_rows(page.content.decode())) == 2 * n_seats
        return len(queries)

    assert queries_of_the_page(1) == queries_of_the_page(4)
