"""The console's paths that change seats, raced for real against buyers' clicks: threads
released together, each with its own PostgreSQL connection, the buyers through Django and
through the fast path of a real server process (test_races.py's `path`). Whatever the order,
exactly one side gets a seat, and the inventory agrees with the ledger after.

Negative control: with `seat_rows_locked` reading the seats without `select_for_update()`
(locking.py), the box-office and keep-back races failed against the fast path's clicks (two
winners, and the inventory check after them found the seat's story broken), in two runs of two;
the Django path's racers, a thread each in this process, did not hit the window in those runs.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from reservations.models import Reservation, Seat
from reservations.services.blocking import seats_release_due, seats_take_off_sale

from .console_staff import staff_api
from .factories import event_with_seats
from .races import (  # noqa: F401  (inventory_checked_after: a fixture)
    ThroughDjango,
    ThroughFastPath,
    inventory_checked_after,
    run_together,
    users,
    waiting_on,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["django", "fast"])
def path(request):
    if request.param == "django":
        return ThroughDjango()
    return ThroughFastPath(request.getfixturevalue("servers"))


def _clicks(path, event, seat, n=30):
    url = f"/api/events/{event.id}/seats/{seat.id}/lock/"
    posts = [path.poster(u) for u in users(n)]
    return [lambda p=p: p(url, {}) for p in posts]


def test_a_box_office_sale_racing_online_clicks_on_one_seat_has_one_winner(path):
    event = event_with_seats(rows=1, seats_per_row=4)
    seat = event.seats.order_by("id").first()
    box_office = staff_api("Box office")

    def sell():
        return box_office.post(
            f"/api/staff/events/{event.id}/box-office/",
            {"seat_ids": [seat.id], "payment": "card"},
            format="json",
        )

    results = run_together([sell, *_clicks(path, event, seat)])

    winners = [r for r in results if r.status_code in (200, 201)]
    assert len(winners) == 1, Counter(r.status_code for r in results)
    assert Counter(r.status_code for r in results if r not in winners) == {409: 30}
    seat.refresh_from_db()
    sold = results[0].status_code == 201
    assert seat.status == ("reserved" if sold else "locked")
    assert Reservation.objects.filter(event=event).count() == int(sold)


def test_keeping_seats_back_while_buyers_click_them_never_keeps_a_held_seat(path):
    event = event_with_seats(rows=1, seats_per_row=6)
    ids = list(event.seats.order_by("id").values_list("id", flat=True))
    manager = staff_api("Manager")
    target = Seat.objects.get(pk=ids[3])

    def keep():
        return manager.post(
            f"/api/staff/events/{event.id}/off-sale/take/",
            {"seat_ids": ids, "kind": "kept", "purpose": "press"},
            format="json",
        )

    results = run_together([keep, *_clicks(path, event, target, n=20)])

    kept = results[0].status_code == 200
    clicked = [r for r in results[1:] if r.status_code == 200]
    assert kept != bool(clicked), (results[0].status_code, len(clicked))
    assert len(clicked) <= 1
    target.refresh_from_db()
    assert target.blocked == kept and (target.status == "locked") == (not kept)


def test_a_reseat_racing_clicks_on_its_new_seat_has_one_winner(path):
    event = event_with_seats(rows=1, seats_per_row=4)
    ids = list(event.seats.order_by("id").values_list("id", flat=True))
    box_office = staff_api("Box office")
    sale = box_office.post(
        f"/api/staff/events/{event.id}/box-office/",
        {"seat_ids": [ids[0]], "payment": "cash"},
        format="json",
    ).json()["reservation"]["id"]

    def reseat():
        return box_office.post(
            f"/api/staff/reservations/{sale}/reseat/", {"moves": [[ids[0], ids[2]]]}, format="json"
        )

    results = run_together([reseat, *_clicks(path, event, Seat.objects.get(pk=ids[2]))])

    winners = [r for r in results if r.status_code == 200]
    assert len(winners) == 1
    moved = results[0].status_code == 200
    assert Seat.objects.get(pk=ids[0]).status == ("available" if moved else "reserved")
    assert Seat.objects.get(pk=ids[2]).status == ("reserved" if moved else "locked")


def test_a_seat_killed_while_the_sweeper_releases_it_stays_killed():
    """The sweeper finds a kept seat due; before it has the seat's lock, a manager kills it
    (never for sale). The seat stays killed: the release time is read again under the lock."""
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()
    past = timezone.now() - timedelta(seconds=1)
    seats_take_off_sale(event_id=event.id, seat_ids=[seat.id], kind="kept", until=past)

    released = waiting_on(  # the sweeper waits on the seat's row
        lambda: seats_take_off_sale(event_id=event.id, seat_ids=[seat.id], kind="killed"),
        seats_release_due,
    )

    seat.refresh_from_db()
    assert released == []
    assert seat.blocked and seat.off_sale == "killed" and seat.blocked_until is None
