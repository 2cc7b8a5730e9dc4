"""The money of a sale (reservations/money.py), as a specification: what the console, the
exports and the inventory check say was taken, after bookings, reseats, partial and full
refunds, box-office sales and cancellations; and amounts that cannot be more than was taken."""

from decimal import Decimal

import pytest

from reservations.ledger.inventory import inventory_disagreements
from reservations.ledger.models import SeatChange
from reservations.models import Reservation, Seat

from .console_staff import staff_api
from .factories import event_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return staff_api("Manager")


@pytest.fixture
def box_office():
    return staff_api("Box office")


def book(api, event, seat_ids) -> int:
    for seat_id in seat_ids:
        assert api.post(f"/api/events/{event.id}/seats/{seat_id}/lock/").status_code == 200
    answer = api.post(f"/api/events/{event.id}/reserve/", {"seat_ids": seat_ids}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()["reservation"]["id"]


def refund(api, booking, refunded, seat_ids=None):
    body = {"refunded": refunded, "reason": "refund"}
    if seat_ids is not None:
        body["seat_ids"] = seat_ids
    return api.post(f"/api/staff/reservations/{booking}/refund/", body, format="json")


def sell(api, event, seat_ids, **body):
    return api.post(
        f"/api/staff/events/{event.id}/box-office/",
        {"seat_ids": seat_ids, "payment": "cash", **body},
        format="json",
    )


def taken(api, event) -> str:
    return api.get(f"/api/staff/events/{event.id}/sale/").json()["money_taken"]


def test_money_taken_counts_each_refund_once_whatever_the_channel(manager, alice_api, bob_api, db):
    """Finding 1 of issue 55, step by step: the console read 100.00, -20.00 and 30.00."""
    event = event_with_seats(rows=1, seats_per_row=6)
    s = list(event.seats.order_by("id").values_list("id", flat=True))
    Seat.objects.filter(pk=s[4]).update(price=Decimal("120.00"))

    bobs = book(bob_api, event, [s[0], s[1]])
    assert refund(manager, bobs, "50.00", [s[1]]).status_code == 200
    assert sell(manager, event, [s[2], s[3]]).status_code == 201
    assert taken(manager, event) == "150.00"

    full = book(alice_api, event, [s[4]])
    assert refund(manager, full, "120.00").json()["reservation"]["status"] == "cancelled"
    assert taken(manager, event) == "150.00"

    book(alice_api, event, [s[5]])
    assert taken(manager, event) == "200.00"
    assert manager.get(f"/api/staff/events/{event.id}/sale/").json()["refunded"] == "170.00"
    assert inventory_disagreements(event_id=event.id) == []


def test_a_buyers_own_cancel_gives_back_what_they_paid(manager, alice_api, event, seats):
    booking = book(alice_api, event, [seats[0].id, seats[1].id])
    assert taken(manager, event) == "100.00"
    assert alice_api.post(f"/api/reservations/{booking}/cancel/").status_code == 200
    assert taken(manager, event) == "0.00"
    assert Reservation.objects.get(pk=booking).refunded == Decimal("100.00")
    assert inventory_disagreements(event_id=event.id) == []


def test_a_refund_past_what_the_booking_took_is_refused_and_changes_nothing(
    box_office, alice_api, event, seats
):
    """Finding 6 of issue 60: 9,999,999,999.99 refunded on a booking that took 1.00."""
    booking = book(alice_api, event, [seats[0].id, seats[1].id])
    assert refund(box_office, booking, "60.00", [seats[0].id]).status_code == 200

    too_much = refund(box_office, booking, "40.01", [seats[1].id])

    assert too_much.status_code == 409
    assert too_much.json()["code"] == "refund_too_large"
    assert too_much.json()["refundable"] == "40.00"
    reservation = Reservation.objects.get(pk=booking)
    assert (reservation.status, reservation.refunded) == ("confirmed", Decimal("60.00"))
    assert Seat.objects.get(pk=seats[1].id).status == "reserved"
    assert refund(box_office, booking, "40.00", [seats[1].id]).status_code == 200
    assert taken(box_office, event) == "0.00"


def test_a_box_office_amount_above_the_seats_total_needs_a_manager_and_is_in_the_ledger(
    manager, box_office, event, seats
):
    refused = sell(box_office, event, [seats[0].id], amount_taken="9999999999.99")
    assert (refused.status_code, refused.json()["code"]) == (403, "amount_above_total")
    assert Seat.objects.get(pk=seats[0].id).status == "available"

    tipped = sell(manager, event, [seats[0].id], amount_taken="60.00")
    assert tipped.status_code == 201
    change = SeatChange.objects.filter(seat_id=seats[0].id).last()
    assert (change.via, change.reason) == ("box_office", "amount taken 60.00")
    assert taken(manager, event) == "60.00"


def test_a_comp_takes_nothing(box_office, event, seats):
    refused = sell(box_office, event, [seats[0].id], payment="comp", amount_taken="10.00")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid")
    assert Seat.objects.get(pk=seats[0].id).status == "available"
    assert sell(box_office, event, [seats[0].id], payment="comp").status_code == 201
    assert taken(box_office, event) == "0.00"


@pytest.mark.parametrize("search, status", [("²", 200), ("a\x00b", 400), ("١٢", 200)])
def test_the_bookings_search_answers_every_string(box_office, event, search, status):
    """Finding 7 of issue 60: "²" is a digit to str.isdigit, not a number; a NUL byte was 500."""
    answer = box_office.get(f"/api/staff/events/{event.id}/bookings/", {"search": search})
    assert answer.status_code == status
    if status == 400:
        assert answer.json()["code"] == "invalid"


def test_the_inventory_check_finds_money_that_does_not_add_up(alice_api, event, seats):
    booking = book(alice_api, event, [seats[0].id])
    Reservation.objects.filter(pk=booking).update(refunded=Decimal("80.00"))
    assert inventory_disagreements(event_id=event.id) == [
        f"reservation {booking} gave back 80.00 of the 50.00 it took."
    ]
    Reservation.objects.filter(pk=booking).update(refunded=0, total_price=Decimal("70.00"))
    assert inventory_disagreements(event_id=event.id) == [
        f"reservation {booking} is confirmed at 70.00, but holds 1 seats sold at 50.00."
    ]
