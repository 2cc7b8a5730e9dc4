"""The organiser's console, as a specification: keep back, kill and release seats; sell at the
box office; reseat and refund; each through the services, in the ledger, refused where a buyer
has the seat, and each allowed only to the roles that may (docs/API.md "The organiser's
console")."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reservations.ledger.inventory import inventory_disagreements
from reservations.ledger.models import SeatChange
from reservations.models import Event, Reservation, Seat
from reservations.services.blocking import seats_release, seats_release_due

from .conftest import bearer_client
from .console_staff import staff_api, staff_in
from .factories import event_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return staff_api("Manager")


@pytest.fixture
def box_office():
    return staff_api("Box office")


def _take(api, event, seat_ids, **body):
    return api.post(
        f"/api/staff/events/{event.id}/off-sale/take/",
        {"seat_ids": seat_ids, "kind": "kept", **body},
        format="json",
    )


def _sell(api, event, seat_ids, **body):
    return api.post(
        f"/api/staff/events/{event.id}/box-office/",
        {"seat_ids": seat_ids, "payment": "cash", **body},
        format="json",
    )


def _hold(api, event, seat_id):
    return api.post(f"/api/events/{event.id}/seats/{seat_id}/lock/", {}, format="json")


def test_seats_kept_back_are_unavailable_to_buyers_and_recorded_with_their_purpose(
    manager, alice_api, event, seats
):
    answer = _take(manager, event, [seats[0].id, seats[1].id], purpose="press", reason="Times")

    assert answer.status_code == 200 and len(answer.json()["changed"]) == 2
    assert _hold(alice_api, event, seats[0].id).json()["code"] == "seat_unavailable"
    seat = Seat.objects.get(pk=seats[0].id)
    assert (seat.status, seat.blocked, seat.off_sale, seat.blocked_purpose) == (
        "reserved",
        True,
        "kept",
        "press",
    )
    change = SeatChange.objects.filter(seat_id=seat.id).last()
    assert (change.via, change.reason, change.status_after) == (
        "console",
        "Times (kept: press)",
        "reserved",
    )
    assert change.actor.username == "manager"
    assert inventory_disagreements(event_id=event.id) == []


def test_a_seat_a_buyer_holds_cannot_be_kept_back_and_the_refusal_says_which_and_why(
    manager, alice_api, event, seats
):
    assert _hold(alice_api, event, seats[1].id).status_code == 200

    answer = _take(manager, event, [seats[0].id, seats[1].id], kind="killed")

    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "seat_unavailable" and body["seats"] == [seats[1].id]
    assert f"{seats[1].label} is held by a buyer" in body["error"]
    assert not Seat.objects.get(pk=seats[0].id).blocked  # all or none


def test_kept_seats_go_on_sale_at_their_release_time_and_killed_ones_at_once(manager, event, seats):
    _take(manager, event, [seats[0].id], purpose="sponsor")
    _take(manager, event, [seats[1].id], kind="killed")
    later = timezone.now() + timedelta(minutes=5)

    planned = manager.post(
        f"/api/staff/events/{event.id}/off-sale/release/",
        {"seat_ids": [seats[0].id], "at": later.isoformat()},
        format="json",
    )
    now = manager.post(
        f"/api/staff/events/{event.id}/off-sale/release/",
        {"seat_ids": [seats[1].id]},
        format="json",
    )

    assert planned.status_code == 200 and Seat.objects.get(pk=seats[0].id).blocked
    assert now.status_code == 200 and Seat.objects.get(pk=seats[1].id).status == "available"
    assert seats_release_due(now=later - timedelta(seconds=1)) == []
    assert [s.id for s in seats_release_due(now=later)] == [seats[0].id]
    assert Seat.objects.get(pk=seats[0].id).status == "available"
    assert inventory_disagreements(event_id=event.id) == []


def test_the_box_office_sells_to_a_walk_in_without_an_account(box_office, event, seats):
    answer = _sell(box_office, event, [seats[2].id, seats[3].id], buyer_name="Ann Walk-in")

    assert answer.status_code == 201
    booking = answer.json()["reservation"]
    assert booking["channel"] == "box_office" and booking["buyer"]["username"] is None
    assert booking["buyer"]["name"] == "Ann Walk-in"
    assert booking["amount_taken"] == "100.00" and booking["payment"] == "cash"
    assert [s["label"] for s in booking["seats"]] == [seats[2].label, seats[3].label]
    seat = Seat.objects.get(pk=seats[2].id)
    assert seat.status == "reserved" and seat.reserved_by_id is None and not seat.blocked
    change = SeatChange.objects.filter(seat_id=seat.id).last()
    assert (change.via, change.reservation_id, change.actor.username) == (
        "box_office",
        booking["id"],
        "box_office",
    )
    assert inventory_disagreements(event_id=event.id) == []


def test_the_box_office_sells_kept_seats_but_never_held_booked_or_killed_ones(
    box_office, manager, alice_api, event, seats
):
    _take(manager, event, [seats[0].id], purpose="house")
    _take(manager, event, [seats[1].id], kind="killed")
    _hold(alice_api, event, seats[2].id)

    assert (
        _sell(box_office, event, [seats[0].id], payment="comp").json()["reservation"][
            "amount_taken"
        ]
        == "0.00"
    )
    for seat, why in ((seats[1], "killed"), (seats[2], "held by a buyer"), (seats[0], "booked")):
        answer = _sell(box_office, event, [seat.id])
        assert answer.status_code == 409 and f"{seat.label} is {why}" in answer.json()["error"]
    assert inventory_disagreements(event_id=event.id) == []


def _booking(api, event, seat_ids):
    for seat_id in seat_ids:
        assert _hold(api, event, seat_id).status_code == 200
    answer = api.post(f"/api/events/{event.id}/reserve/", {"seat_ids": seat_ids}, format="json")
    assert answer.status_code == 201
    return answer.json()["reservation"]["id"]


def test_a_reseat_moves_a_booking_to_free_seats_and_records_the_difference(
    box_office, alice, alice_api, db
):
    event = event_with_seats(rows=2, seats_per_row=3, sections=1)
    seats = list(event.seats.order_by("id"))
    Seat.objects.filter(pk=seats[4].id).update(price=Decimal("80.00"))
    booking = _booking(alice_api, event, [seats[0].id, seats[1].id])

    answer = box_office.post(
        f"/api/staff/reservations/{booking}/reseat/",
        {"moves": [[seats[0].id, seats[4].id]], "reason": "sightline"},
        format="json",
    )

    assert answer.status_code == 200
    body = answer.json()
    assert body["difference"] == "30.00" and body["reservation"]["total_price"] == "130.00"
    assert sorted(s["id"] for s in body["reservation"]["seats"]) == [seats[1].id, seats[4].id]
    assert Seat.objects.get(pk=seats[0].id).status == "available"
    moved = Seat.objects.get(pk=seats[4].id)
    assert moved.status == "reserved" and moved.reserved_by_id == alice.id
    mine = alice_api.get(f"/api/reservations/{booking}/").json()
    assert sorted(s["id"] for s in mine["seats"]) == [seats[1].id, seats[4].id]
    assert inventory_disagreements(event_id=event.id) == []


def test_a_reseat_to_a_seat_someone_holds_is_refused_and_changes_nothing(
    box_office, alice_api, bob_api, event, seats
):
    booking = _booking(alice_api, event, [seats[0].id])
    _hold(bob_api, event, seats[5].id)

    answer = box_office.post(
        f"/api/staff/reservations/{booking}/reseat/",
        {"moves": [[seats[0].id, seats[5].id]]},
        format="json",
    )

    assert answer.status_code == 409 and answer.json()["seats"] == [seats[5].id]
    assert answer.json()["error"] == (
        f"Move only to free or kept-back seats; {seats[5].label} is held by a buyer."
    )
    assert Seat.objects.get(pk=seats[0].id).status == "reserved"
    assert Seat.objects.get(pk=seats[5].id).status == "locked"


def test_a_reseat_of_two_seats_to_one_is_refused_in_words_and_changes_nothing(
    box_office, alice_api, event, seats
):
    booking = _booking(alice_api, event, [seats[0].id, seats[1].id])

    answer = box_office.post(
        f"/api/staff/reservations/{booking}/reseat/",
        {"moves": [[seats[0].id, seats[4].id], [seats[1].id, seats[4].id]]},
        format="json",
    )

    assert answer.status_code == 409 and answer.json()["code"] == "seat_unavailable"
    assert answer.json()["error"] == "Move each seat to a seat of its own."
    assert [Seat.objects.get(pk=s.id).status for s in seats[:2]] == ["reserved", "reserved"]
    assert Seat.objects.get(pk=seats[4].id).status == "available"


def test_a_refund_cancels_some_seats_with_a_reason_then_the_rest_cancels_the_booking(
    box_office, alice_api, event, seats
):
    booking = _booking(alice_api, event, [seats[0].id, seats[1].id])
    url = f"/api/staff/reservations/{booking}/refund/"

    some = box_office.post(
        url, {"seat_ids": [seats[0].id], "refunded": "50.00", "reason": "ill"}, format="json"
    )
    rest = box_office.post(url, {"refunded": "50.00", "reason": "show moved"}, format="json")
    again = box_office.post(url, {"refunded": "1.00", "reason": "x"}, format="json")

    assert some.status_code == 200 and some.json()["reservation"]["status"] == "confirmed"
    assert some.json()["reservation"]["total_price"] == "50.00"
    assert some.json()["reservation"]["refundable"] == "50.00"  # what it took, less given back
    assert rest.json()["reservation"]["status"] == "cancelled"
    assert rest.json()["reservation"]["refunded"] == "100.00"
    assert again.json()["code"] == "already_cancelled"
    assert Seat.objects.filter(pk__in=[seats[0].id, seats[1].id], status="available").count() == 2
    reasons = set(
        SeatChange.objects.filter(reservation_id=booking, via="console").values_list(
            "reason", flat=True
        )
    )
    assert reasons == {"ill", "show moved"}
    history = box_office.get(f"/api/staff/reservations/{booking}/").json()["history"]
    assert [h["reason"] for h in history[:2]] == ["show moved", "ill"]  # newest first
    assert inventory_disagreements(event_id=event.id) == []


def test_the_sale_figures_count_each_state_by_category_and_section_and_the_money(
    manager, box_office, alice_api, event, seats
):
    _booking(alice_api, event, [seats[0].id])
    _hold(alice_api, event, seats[1].id)
    _take(manager, event, [seats[2].id], purpose="press")
    _take(manager, event, [seats[3].id], kind="killed")
    _sell(box_office, event, [seats[4].id], amount_taken="45.00")

    figures = manager.get(f"/api/staff/events/{event.id}/sale/").json()

    (category,) = figures["categories"]
    counts = {k: category[k] for k in ("free", "held", "booked", "kept", "killed")}
    assert counts == {"free": 5, "held": 1, "booked": 2, "kept": 1, "killed": 1}
    assert sum(s["booked"] for s in figures["sections"]) == 2
    assert figures["money_taken"] == "95.00" and figures["bookings_last_minute"] == 2
    assert figures["earliest_hold_ends_at"] is not None


def test_the_bookings_list_finds_a_buyer_by_name_email_or_seat(box_office, alice_api, event, seats):
    online = _booking(alice_api, event, [seats[0].id])
    walk_in = _sell(box_office, event, [seats[1].id], buyer_email="ann@example.com").json()
    url = f"/api/staff/events/{event.id}/bookings/"

    def found(search):
        return [b["id"] for b in box_office.get(url, {"search": search}).json()]

    assert found("alice") == [online]
    assert found("ann@example") == [walk_in["reservation"]["id"]]
    assert found(seats[0].label) == [online]
    assert len(found("")) == 2


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("Box office", {"sale", "box-office", "reseat", "refund"}),
        ("Manager", {"sale", "box-office", "reseat", "refund", "take"}),
    ],
)
def test_each_role_may_do_only_its_part_and_a_buyer_none(role, allowed, alice, event, seats):
    staff = staff_api(role)
    booking = Reservation.objects.create(user=alice, event=event, total_price=Decimal("0"))
    calls = {
        "sale": lambda api: api.get(f"/api/staff/events/{event.id}/sale/"),
        "take": lambda api: _take(api, event, [seats[9].id]),
        "box-office": lambda api: _sell(api, event, [seats[8].id]),
        "reseat": lambda api: api.post(
            f"/api/staff/reservations/{booking.id}/reseat/", {"moves": [[1, 2]]}, format="json"
        ),
        "refund": lambda api: api.post(
            f"/api/staff/reservations/{booking.id}/refund/",
            {"refunded": "0", "reason": "r"},
            format="json",
        ),
    }
    buyer = bearer_client(alice)
    for name, call in calls.items():
        refused = call(buyer)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", name
        answer = call(staff)
        assert (answer.status_code != 403) == (name in allowed), (name, answer.json())
        if name not in allowed:
            assert answer.json()["error"] == "Your role may not do this (keep_seats)."
    assert buyer.get("/api/me/").json()["console"] == []
    assert set(staff.get("/api/me/").json()["console"]) >= {"view_console", "sell_at_box_office"}


def test_a_stranger_is_asked_to_log_in(api, event):
    answer = api.get(f"/api/staff/events/{event.id}/sale/")
    assert answer.status_code == 401


def test_bad_input_is_a_clear_400_and_changes_nothing(manager, event, seats):
    for body in ({"seat_ids": [], "kind": "kept"}, {"seat_ids": [seats[0].id], "kind": "gone"}, []):
        answer = manager.post(f"/api/staff/events/{event.id}/off-sale/take/", body, format="json")
        assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert not Seat.objects.filter(event=event, blocked=True).exists()


def test_a_refund_of_no_seat_is_a_clear_400_and_changes_nothing(
    box_office, alice_api, event, seats
):
    booking = _booking(alice_api, event, [seats[0].id])

    answer = box_office.post(
        f"/api/staff/reservations/{booking}/refund/",
        {"seat_ids": [], "refunded": "0.00", "reason": "ill"},
        format="json",
    )

    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert Reservation.objects.get(pk=booking).status == "confirmed"
    assert Seat.objects.get(pk=seats[0].id).status == "reserved"


def test_releasing_a_kept_seat_in_the_past_releases_it_now(event, seats):
    staff_in("Manager")
    from reservations.services.blocking import seats_take_off_sale

    seats_take_off_sale(event_id=event.id, seat_ids=[seats[0].id], kind="kept")
    released = seats_release(
        event_id=event.id, seat_ids=[seats[0].id], at=timezone.now() - timedelta(seconds=1)
    )
    assert [s.id for s in released] == [seats[0].id]


def test_a_manager_sets_the_purchase_limit_and_the_next_hold_counts_against_it(
    manager, box_office, alice_api, event, seats, settings
):
    url = f"/api/staff/events/{event.id}/limits/"
    assert manager.get(url).json() == {
        "event_id": event.id,
        "purchase_limit": None,
        "effective": settings.SEAT_PURCHASE_LIMIT,
        "holds_need_verified_email": False,
        "holds_limited_per_network": False,
    }

    answer = manager.patch(url, {"purchase_limit": 1}, format="json")

    assert answer.status_code == 200 and answer.json()["effective"] == 1
    assert _hold(alice_api, event, seats[0].id).status_code == 200
    refused = _hold(alice_api, event, seats[1].id).json()
    assert (refused["code"], refused["limit"]) == ("purchase_limit", 1)
    assert alice_api.get(f"/api/events/{event.id}/").json()["purchase_limit"] == 1
    back = manager.patch(url, {"purchase_limit": None}, format="json").json()
    assert back["purchase_limit"] is None and back["effective"] == settings.SEAT_PURCHASE_LIMIT
    assert _hold(alice_api, event, seats[1].id).status_code == 200
    # Verified buyers only (alice has verified nothing), the limit left as it is; then off.
    verified_only = manager.patch(url, {"holds_need_verified_email": True}, format="json")
    assert verified_only.json()["holds_need_verified_email"] is True
    assert verified_only.json()["effective"] == settings.SEAT_PURCHASE_LIMIT
    assert _hold(alice_api, event, seats[2].id).json()["code"] == "email_unverified"
    manager.patch(url, {"holds_need_verified_email": False}, format="json")
    assert _hold(alice_api, event, seats[2].id).status_code == 200
    per_network = manager.patch(url, {"holds_limited_per_network": True}, format="json").json()
    assert per_network["holds_limited_per_network"] is True
    assert Event.objects.get(pk=event.id).holds_limited_per_network
    # The box office watches the limit but may not change it; a buyer may do neither.
    assert box_office.get(url).status_code == 200
    refused = box_office.patch(url, {"purchase_limit": 5}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"] == "Your role may not do this (change_event)."
    assert alice_api.patch(url, {"purchase_limit": 5}, format="json").status_code == 403
    assert "change_event" in manager.get("/api/me/").json()["console"]
    assert "change_event" not in box_office.get("/api/me/").json()["console"]


@pytest.mark.parametrize("body", [{"purchase_limit": 0}, {"purchase_limit": "x"}, {}, []])
def test_a_bad_purchase_limit_is_a_clear_400_and_changes_nothing(manager, event, body):
    answer = manager.patch(f"/api/staff/events/{event.id}/limits/", body, format="json")

    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    event.refresh_from_db()
    assert event.purchase_limit is None


def test_the_limits_of_an_unknown_event_are_not_found(manager):
    answer = manager.patch("/api/staff/events/999999/limits/", {"purchase_limit": 3}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


@pytest.mark.parametrize("route", ["off-sale/", "bookings/"])
def test_the_seats_and_bookings_of_an_unknown_event_are_not_found(manager, route):
    answer = manager.get(f"/api/staff/events/999999/{route}")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
