"""Price categories and blocked seats: what a seat costs, and seats that are never on sale."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reservations import selectors
from reservations.exceptions import LockRequired, PriceChanged, SeatUnavailable
from reservations.models import PriceCategory, Reservation, Seat
from reservations.services.blocking import seats_block, seats_release
from reservations.services.categories import category_price_set, seats_categorise
from reservations.signals import seats_changed
from reservations.waiting_room.rooms_in_memory import rooms

from . import booking_calls
from .conftest import bearer_client
from .factories import event_with_seats
from .races import code_of, run_together, users

pytestmark = pytest.mark.django_db


def test_a_grid_event_has_one_category_at_its_price(event, seats):
    (category,) = event.categories.all()
    assert (category.name, category.price) == ("Standard", Decimal("50.00"))
    assert {s.category_id for s in seats} == {category.id}


def test_the_seat_list_shows_each_seats_category_and_flags(api, event, seats):
    body = api.get(f"/api/events/{event.id}/seats/").json()
    first = body["seats"][0]
    assert first["category"] == seats[0].category_id
    assert (first["accessible"], first["companion"], first["restricted_view"]) == (
        False,
        False,
        False,
    )
    assert first["blocked"] is False


def test_event_detail_lists_categories_with_what_is_left(api, alice, event, seats):
    premium = PriceCategory.objects.create(
        event=event, name="Premium", price=Decimal("90.00"), colour="#aa0000", position=0
    )
    seats_categorise(
        event_id=event.id, category_id=premium.id, section="Floor", first_row="A", last_row="A"
    )
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)

    body = api.get(f"/api/events/{event.id}/").json()

    by_name = {c["name"]: c for c in body["categories"]}
    assert by_name["Premium"] == {
        "id": premium.id,
        "name": "Premium",
        "price": "90.00",
        "colour": "#aa0000",
        "seats_total": 5,
        "seats_available": 4,
    }
    assert by_name["Standard"]["seats_total"] == 5
    assert (body["price_min"], body["price_max"]) == ("50.00", "90.00")
    assert [c["name"] for c in body["categories"]] == ["Standard", "Premium"]  # position, then id


def test_a_booking_keeps_its_price_when_the_category_price_changes(alice, event, seats):
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[seats[0].id, seats[1].id])
    booked = booking_calls.reserve(
        user=alice, event_id=event.id, seat_ids=[seats[0].id, seats[1].id]
    ).reservation

    category_price_set(category_id=seats[0].category_id, price=Decimal("75.00"))

    booked.refresh_from_db()
    assert booked.total_price == Decimal("100.00")
    assert {rs.price for rs in booked.reserved_seats.all()} == {Decimal("50.00")}
    # New sales use the new price: seat rows carry the category's.
    assert set(event.seats.values_list("price", flat=True)) == {Decimal("75.00")}
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[2].id)
    later = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seats[2].id])
    assert later.reservation.total_price == Decimal("75.00")


def test_totals_come_from_each_seats_category(alice, event, seats):
    premium = PriceCategory.objects.create(
        event=event, name="Premium", price=Decimal("90.00"), colour="#aa0000"
    )
    seats_categorise(event_id=event.id, category_id=premium.id, section="Floor", first_row="B")
    back_row_seat = seats[5]
    ids = [seats[0].id, back_row_seat.id]
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=ids)
    booked = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=ids)
    assert booked.reservation.total_price == Decimal("140.00")


# --- Repricing through the booking rules ---------------------------------------------------


def test_repricing_gives_each_seat_its_next_version_and_tells_watchers_once(
    alice, event, seats, django_capture_on_commit_callbacks
):
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
    before = dict(event.seats.values_list("id", "version"))
    heard = []

    def hear(sender, *, event_id, changes, **kwargs):
        heard.append((event_id, sorted((c.id, c.version) for c in changes)))

    seats_changed.connect(hear)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            category_price_set(category_id=seats[0].category_id, price=Decimal("75.00"))
    finally:
        seats_changed.disconnect(hear)

    after = dict(event.seats.values_list("id", "version"))
    assert after == {seat_id: version + 1 for seat_id, version in before.items()}
    assert heard == [(event.id, sorted(after.items()))]  # one message, every seat in it
    held = Seat.objects.get(pk=seats[0].id)
    assert (held.status, held.held_by_id, held.price) == ("locked", alice.id, Decimal("75.00"))


def test_a_buyer_is_told_of_a_new_price_at_reserve_and_never_charged_one_not_shown(
    alice, event, seats
):
    client = bearer_client(alice)
    ids = [seats[0].id, seats[1].id]
    locked = client.post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}, format="json")
    assert locked.status_code == 200
    category_price_set(category_id=seats[0].category_id, price=Decimal("75.00"))

    shown_before = {"seat_ids": ids, "total": "100.00"}
    refused = client.post(f"/api/events/{event.id}/reserve/", shown_before, format="json")
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["total"]) == ("price_changed", "150.00")
    assert not Reservation.objects.exists()
    assert set(event.seats.filter(id__in=ids).values_list("status", flat=True)) == {"locked"}

    shown_now = {"seat_ids": ids, "total": "150.00"}
    booked = client.post(f"/api/events/{event.id}/reserve/", shown_now, format="json")
    assert booked.status_code == 201 and booked.json()["reservation"]["total_price"] == "150.00"


@pytest.mark.django_db(transaction=True)
def test_a_reserve_racing_a_repricing_is_booked_at_the_total_shown_or_refused():
    outcomes = []
    for _ in range(5):
        results, event = _reserves_racing_a_repricing()
        outcomes += results[1:]
        assert all(r in (Decimal("150.00"), "price_changed") for r in results[1:]), results
        for reservation in Reservation.objects.filter(event=event):
            assert reservation.total_price == Decimal("150.00")
            assert {rs.price for rs in reservation.reserved_seats.all()} == {Decimal("50.00")}
    # Both orders happened: some reserves came before the new price, some after it.
    assert {Decimal("150.00"), "price_changed"} <= set(outcomes), outcomes


def _reserves_racing_a_repricing():
    """Four buyers reserve the 3 seats each holds, shown 150.00, as their price goes to 75.00."""
    event = event_with_seats(rows=4, seats_per_row=50)
    buyers = users(4, prefix=f"buyer{event.id}-")
    ids = list(event.seats.order_by("id").values_list("id", flat=True)[:12])
    blocks = [ids[i : i + 3] for i in range(0, 12, 3)]
    for buyer, block in zip(buyers, blocks, strict=True):
        booking_calls.lock_several(user=buyer, event_id=event.id, seat_ids=block)
    category = event.categories.get()

    def reserve(buyer, block, delay):
        time.sleep(delay)  # spread over the repricing, so both orders happen
        try:
            return booking_calls.reserve(
                user=buyer, event_id=event.id, seat_ids=block, expected_total=Decimal("150.00")
            ).reservation.total_price
        except PriceChanged:
            return "price_changed"

    def reprice():
        return category_price_set(category_id=category.id, price=Decimal("75.00"))

    reserves = [
        lambda b=b, k=k, d=0.015 * i: reserve(b, k, d)
        for i, (b, k) in enumerate(zip(buyers, blocks, strict=True))
    ]
    return run_together([reprice, *reserves]), event


# --- Blocked seats ---------------------------------------------------------------------------


def test_a_blocked_seat_is_listed_as_reserved_with_no_reason(api, event, seats):
    seats_block(event_id=event.id, seat_ids=[seats[0].id], reason="camera position")
    body = api.get(f"/api/events/{event.id}/seats/").json()
    first = body["seats"][0]
    assert (first["status"], first["blocked"], first["mine"]) == ("reserved", True, False)
    assert "camera" not in str(body)
    assert api.get(f"/api/events/{event.id}/").json()["seats_available"] == 9


@pytest.mark.parametrize("path", ["lock", "lock several", "reserve"])
def test_a_blocked_seat_cannot_be_held_or_booked(alice_api, event, seats, path):
    seat = seats[0]
    seats_block(event_id=event.id, seat_ids=[seat.id])
    if path == "lock":
        answer = alice_api.post(f"/api/events/{event.id}/seats/{seat.id}/lock/", {}, "json")
    elif path == "lock several":
        answer = alice_api.post(
            f"/api/events/{event.id}/lock/", {"seat_ids": [seats[1].id, seat.id]}, "json"
        )
    else:
        answer = alice_api.post(f"/api/events/{event.id}/reserve/", {"seat_ids": [seat.id]}, "json")
    expected = "lock_required" if path == "reserve" else "seat_unavailable"
    assert (answer.status_code, answer.json()["code"]) == (409, expected)
    assert Seat.objects.get(pk=seat.id).blocked
    assert Seat.objects.filter(event=event, status="locked").count() == 0


def test_only_free_seats_can_be_blocked_and_unblocking_puts_them_on_sale(alice, event, seats):
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
    with pytest.raises(SeatUnavailable):
        seats_block(event_id=event.id, seat_ids=[seats[0].id, seats[1].id])
    assert not Seat.objects.filter(pk=seats[1].id, blocked=True).exists()

    seats_block(event_id=event.id, seat_ids=[seats[1].id])
    with pytest.raises(LockRequired):
        booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seats[1].id])
    seats_release(event_id=event.id, seat_ids=[seats[1].id])
    seat = booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[1].id)
    assert seat.status == "locked"
    assert seat.version == 3  # blocked, unblocked, held: watchers saw each


@pytest.mark.django_db(transaction=True)
def test_blocking_seats_while_people_hold_them_never_blocks_a_held_seat():
    # Blocking a whole 3,000-seat block takes long enough for clicks to land inside it.
    event = event_with_seats(rows=100, seats_per_row=30)
    ids = list(event.seats.order_by("id").values_list("id", flat=True))
    clients = [bearer_client(u) for u in users(30)]
    clicks = [
        lambda c=c, seat_id=seat_id: c.post(
            f"/api/events/{event.id}/seats/{seat_id}/lock/", {}, format="json"
        )
        for c, seat_id in zip(clients, ids[::100], strict=True)
    ]

    def block():
        try:
            seats_block(event_id=event.id, seat_ids=ids)
            return "blocked"
        except SeatUnavailable:
            return "refused"

    results = run_together([block, *clicks])

    held = [code_of(r) for r in results[1:]].count("ok")
    seats = Seat.objects.filter(event=event)
    if results[0] == "blocked":  # all or none, and no click got a seat it then lost
        assert held == 0 and seats.filter(blocked=True).count() == 3000
    else:
        assert held >= 1 and not seats.filter(blocked=True).exists()
        assert seats.filter(status="locked").count() == held


@pytest.mark.parametrize("read", ["seat list", "snapshot", "event"])
def test_a_big_event_is_read_in_as_many_queries_as_a_small_one(api, read, monkeypatch):
    # The rooms' copy is read again once a second: a busy machine's pause between reading it
    # and the request must not count that read against the request.
    monkeypatch.setattr("reservations.waiting_room.rooms_in_memory.ROOMS_MAX_AGE", 60.0)
    small = event_with_seats(rows=2, seats_per_row=5)
    big = event_with_seats(rows=50, seats_per_row=40, name="Big")
    for event in (small, big):  # several categories, so a query per category would show
        for n in range(3):
            PriceCategory.objects.create(event=event, name=f"C{n}", price=n, colour="#000000")

    def queries(event):
        rooms.room_of(event.id)  # the waiting rooms' copy: read before, not per request
        with CaptureQueriesContext(connection) as seen:
            if read == "snapshot":
                assert len(selectors.live_seats_get(event_id=event.id)) > 0
            else:
                path = "seats/" if read == "seat list" else ""
                assert api.get(f"/api/events/{event.id}/{path}").status_code == 200
        return len(seen.captured_queries)

    assert queries(big) == queries(small)
