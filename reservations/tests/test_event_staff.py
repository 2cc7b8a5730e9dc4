"""Console roles per event (reservations/roles.py): staff named on an event's page have their
role on that event only; a role given as a group still applies to every event (one organiser's
instance). Issue 60: a Box office member of one organiser's event sold, refunded and read
buyers' e-mails on every event of the instance."""

import pytest

from reservations.models import EventStaff, Reservation
from reservations.roles import may_watch_the_sale

from .conftest import bearer_client
from .factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs():
    return event_with_seats(rows=1, seats_per_row=4, name="Their show")


@pytest.fixture
def another():
    return event_with_seats(rows=1, seats_per_row=4, name="Someone else's show")


@pytest.fixture
def till(theirs):
    user = UserFactory(username="till")
    EventStaff.objects.create(event=theirs, user=user, role=EventStaff.Role.BOX_OFFICE)
    return user


def sell(api, event):
    seat = event.seats.order_by("id").first()
    return api.post(
        f"/api/staff/events/{event.id}/box-office/",
        {"seat_ids": [seat.id], "payment": "cash", "buyer_email": "ann@example.com"},
        format="json",
    )


def test_an_events_box_office_sells_there_and_nowhere_else(till, theirs, another):
    api = bearer_client(till)
    assert sell(api, theirs).status_code == 201
    refused = sell(api, another)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert not Reservation.objects.filter(event=another).exists()
    assert api.get(f"/api/staff/events/{another.id}/bookings/").status_code == 403
    assert api.get(f"/api/staff/events/{theirs.id}/bookings/").status_code == 200


def test_a_booking_of_another_event_is_neither_read_nor_refunded(till, theirs, another):
    manager = UserFactory(username="boss", is_superuser=True)
    sold = sell(bearer_client(manager), another).json()["reservation"]["id"]
    api = bearer_client(till)
    assert api.get(f"/api/staff/reservations/{sold}/").status_code == 403
    refund = api.post(
        f"/api/staff/reservations/{sold}/refund/", {"refunded": "1.00", "reason": "x"}, "json"
    )
    assert refund.status_code == 403
    assert Reservation.objects.get(pk=sold).status == "confirmed"


def test_an_events_role_goes_no_further_than_the_role(till, theirs):
    kept = bearer_client(till).post(
        f"/api/staff/events/{theirs.id}/off-sale/take/",
        {"seat_ids": [theirs.seats.first().id], "kind": "kept"},
        format="json",
    )
    assert kept.status_code == 403  # keeping seats back is a Manager's


def test_an_events_manager_may_take_more_than_the_total_there_and_nowhere_else(theirs, another):
    boss = UserFactory(username="boss")
    EventStaff.objects.create(event=theirs, user=boss, role=EventStaff.Role.MANAGER)
    EventStaff.objects.create(event=another, user=boss, role=EventStaff.Role.BOX_OFFICE)
    api = bearer_client(boss)

    def sell_for(event, amount):
        seat = event.seats.order_by("id").first()
        body = {"seat_ids": [seat.id], "payment": "cash", "amount_taken": amount}
        return api.post(f"/api/staff/events/{event.id}/box-office/", body, format="json")

    assert sell_for(theirs, "60.00").status_code == 201
    refused = sell_for(another, "60.00")
    assert (refused.status_code, refused.json()["code"]) == (403, "amount_above_total")


def test_me_says_what_the_account_may_do_on_each_event(till, theirs, another):
    me = bearer_client(till).get("/api/me/").json()
    assert me["console"] == []
    assert me["console_events"] == {
        str(theirs.id): ["change_bookings", "sell_at_box_office", "view_console"]
    }


def test_the_console_socket_watches_only_the_events_sale(till, theirs, another):
    assert may_watch_the_sale(till.pk, theirs.id)
    assert not may_watch_the_sale(till.pk, another.id)
