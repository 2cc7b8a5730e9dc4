"""The admin: an event with a grid of seats in one form, counts at a glance, cancel by action."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reservations.models import Event, PriceCategory, Reservation, Seat

from . import booking_calls
from .admin_forms import event_change_form
from .factories import event_with_seats

pytestmark = pytest.mark.django_db


def new_grid_event(admin_client, **fields):
    """The admin's form for a new grid event, as a browser posts it, with these fields."""
    form = {
        "name": "Opening night",
        "venue": "Hall B",
        "description": "",
        "starts_at_0": "2027-01-10",
        "starts_at_1": "20:00:00",
        "rows": "3",
        "seats_per_row": "4",
        "sections": "1",
        "price": "35.00",
        "orphan_mode": "off",
    }
    return admin_client.post("/admin/reservations/event/add/", form | fields)


def test_creating_an_event_in_the_admin_lays_out_its_seats(admin_client):
    response = new_grid_event(admin_client)
    assert response.status_code == 302, response.content[:2000]
    event = Event.objects.get(name="Opening night")
    assert event.seats.count() == 12
    assert sorted(event.seats.values_list("label", flat=True))[:2] == ["A1", "A2"]


def test_a_new_event_keeps_the_currency_and_orphan_rule_its_form_was_given(admin_client):
    response = new_grid_event(
        admin_client, name="Dollar night", rows="1", orphan_mode="strict", currency="USD"
    )
    assert response.status_code == 302, response.content[:2000]
    event = Event.objects.get(name="Dollar night")
    assert (event.currency, event.orphan_mode) == ("USD", "strict")


def test_a_grid_price_the_seats_cannot_keep_is_a_form_error_and_no_event(admin_client):
    page = new_grid_event(admin_client, name="Too dear", price="123456789")
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["price"]
    assert not Event.objects.exists()


def test_the_event_list_shows_the_seat_counts(admin_client, alice):
    event = event_with_seats(rows=1, seats_per_row=4)
    booking_calls.lock(user=alice, event_id=event.id, seat_id=event.seats.first().id)
    page = admin_client.get("/admin/reservations/event/").content.decode()
    assert "Concert XYZ" in page
    assert '<td class="field-held">1</td>' in page
    assert '<td class="field-available">3</td>' in page


def test_the_cancel_action_frees_the_seats_through_the_service(admin_client, alice):
    event = event_with_seats(rows=1, seats_per_row=2)
    ids = list(event.seats.values_list("id", flat=True))
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=ids)
    outcome = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=ids)
    reservation = outcome.reservation
    admin_client.post(
        "/admin/reservations/reservation/",
        {"action": "cancel_selected", "_selected_action": [reservation.pk]},
    )
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED
    assert set(event.seats.values_list("status", "version")) == {("available", 3)}


def test_the_event_list_counts_an_ended_lock_as_available_before_any_sweep(admin_client, alice):
    event = event_with_seats(rows=1, seats_per_row=4)
    first, second = event.seats.order_by("id")[:2]
    booking_calls.lock(user=alice, event_id=event.id, seat_id=first.id)
    booking_calls.lock(user=alice, event_id=event.id, seat_id=second.id)
    Seat.objects.filter(pk=first.pk).update(held_until=timezone.now() - timedelta(seconds=1))
    page = admin_client.get("/admin/reservations/event/").content.decode()
    assert '<td class="field-available">3</td>' in page
    assert '<td class="field-held">1</td>' in page


def test_the_block_action_takes_seats_off_sale_with_a_reason_staff_see(admin_client, api):
    event = event_with_seats(rows=1, seats_per_row=3)
    first = event.seats.order_by("id").first()
    admin_client.post(
        "/admin/reservations/seat/",
        {"action": "block_selected", "_selected_action": [first.pk], "reason": "sound desk"},
    )
    first.refresh_from_db()
    assert (first.status, first.blocked, first.blocked_reason) == ("reserved", True, "sound desk")
    assert (
        "sound desk"
        in admin_client.get(f"/admin/reservations/seat/{first.pk}/change/").content.decode()
    )

    admin_client.post(
        "/admin/reservations/seat/", {"action": "unblock_selected", "_selected_action": [first.pk]}
    )
    first.refresh_from_db()
    assert (first.status, first.blocked) == ("available", False)


def test_the_category_action_moves_seats_and_their_price(admin_client):
    event = event_with_seats(rows=2, seats_per_row=2)
    premium = PriceCategory.objects.create(
        event=event, name="Premium", price=Decimal("99.00"), colour="#aa0000"
    )
    front_row = list(event.seats.filter(row="A").values_list("id", flat=True))
    admin_client.post(
        "/admin/reservations/seat/",
        {"action": "categorise_selected", "_selected_action": front_row, "category": premium.pk},
    )
    assert set(event.seats.filter(row="A").values_list("category_id", "price")) == {
        (premium.pk, Decimal("99.00"))
    }
    assert set(event.seats.filter(row="B").values_list("price", flat=True)) == {Decimal("50.00")}


def test_changing_a_category_price_in_the_admin_reprices_its_seats(admin_client):
    event = event_with_seats(rows=1, seats_per_row=2)
    (category,) = event.categories.all()
    response = admin_client.post(
        f"/admin/reservations/event/{event.pk}/change/",
        event_change_form(event, category, name="Standard", price="65.00"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(event.seats.values_list("price", flat=True)) == {Decimal("65.00")}


def test_an_events_currency_may_change_until_its_first_booking(admin_client, alice):
    """After it, the money taken and given back would be told in a currency it was not."""
    event = event_with_seats(rows=1, seats_per_row=2)
    (category,) = event.categories.all()
    page = f"/admin/reservations/event/{event.pk}/change/"
    for currency in ("USD", "GBP"):
        form = event_change_form(event, category) | {"currency": currency}
        assert admin_client.post(page, form).status_code == 302
        if currency == "USD":
            booking_calls.lock(user=alice, event_id=event.id, seat_id=event.seats.first().id)
            booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[event.seats.first().id])
    event.refresh_from_db()
    assert event.currency == "USD"
    assert b'name="currency"' not in admin_client.get(page).content


def test_an_organiser_sets_the_events_purchase_limit_in_its_form(admin_client, api):
    event = event_with_seats(rows=1, seats_per_row=2)
    (category,) = event.categories.all()
    form = event_change_form(event, category)
    assert (
        b'name="purchase_limit"'
        in admin_client.get(f"/admin/reservations/event/{event.pk}/change/").content
    )
    for limit, refused in (("0", True), ("6", False), ("", False)):
        response = admin_client.post(
            f"/admin/reservations/event/{event.pk}/change/", {**form, "purchase_limit": limit}
        )
        assert (response.status_code == 200) == refused  # a form with its error, or saved
    event.refresh_from_db()
    assert event.purchase_limit is None  # empty: the site's default again
    admin_client.post(
        f"/admin/reservations/event/{event.pk}/change/", {**form, "purchase_limit": "6"}
    )
    assert api.get(f"/api/events/{event.pk}/").json()["purchase_limit"] == 6


def test_an_organiser_turns_holds_per_network_on_in_its_form_told_what_it_costs(admin_client):
    event = event_with_seats(rows=1, seats_per_row=2)
    (category,) = event.categories.all()
    url = f"/admin/reservations/event/{event.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="holds_limited_per_network"' in page
    assert "thousands of strangers" in page  # the cost to buyers behind a shared address
    assert not event.holds_limited_per_network  # off unless the organiser turns it on
    form = {**event_change_form(event, category), "holds_limited_per_network": "on"}
    assert admin_client.post(url, form).status_code == 302
    event.refresh_from_db()
    assert event.holds_limited_per_network


def test_a_layout_file_uploaded_in_the_admin_becomes_a_room_to_sell_in(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reservations.models import VenueLayout

    from .test_venues import SMALL

    bad = SimpleUploadedFile("bad.json", b'{"format": "seatmap-layout/1"', "application/json")
    page = admin_client.post("/admin/reservations/venuelayout/add/", {"file": bad})
    assert page.status_code == 200 and VenueLayout.objects.count() == 0
    assert "/: " in page.content.decode()  # the refusal names the place

    good = SimpleUploadedFile("studio.json", json.dumps(SMALL).encode(), "application/json")
    assert (
        admin_client.post("/admin/reservations/venuelayout/add/", {"file": good}).status_code == 302
    )
    layout = VenueLayout.objects.get()
    response = admin_client.post(
        "/admin/reservations/event/add/",
        {
            "name": "In the studio",
            "venue": "",
            "description": "",
            "starts_at_0": "2027-01-10",
            "starts_at_1": "20:00:00",
            "layout": layout.pk,
            "orphan_mode": "lenient",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    event = Event.objects.get(name="In the studio")
    assert (event.layout, event.orphan_mode, event.seats.count()) == (layout, "lenient", 5)
    assert set(event.categories.values_list("name", flat=True)) == {"Front", "Back"}


def test_an_organiser_puts_a_waiting_room_in_front_of_an_events_sale(admin_client, api):
    from reservations.models import WaitingRoom
    from reservations.waiting_room.draw import commitment_of

    event = event_with_seats()
    answer = admin_client.post(
        "/admin/reservations/waitingroom/add/",
        {
            "event": event.pk,
            "opens_at_0": "2030-01-01",
            "opens_at_1": "09:00:00",
            "on_sale_at_0": "2030-01-01",
            "on_sale_at_1": "10:00:00",
            "turn_seconds": 600,
            "claim_seconds": 120,
            "max_active": 300,
            "randomness_source": "drand quicknet round 66896212",  # out at 10:00:00 UTC
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    room = WaitingRoom.objects.get(event=event)
    assert api.get(f"/api/events/{event.pk}/").json()["queue"] == {
        "opens_at": "2030-01-01T09:00:00Z",
        "on_sale_at": "2030-01-01T10:00:00Z",
    }
    page = admin_client.get(f"/admin/reservations/waitingroom/{event.pk}/change/").content
    assert commitment_of(room.seed).encode() in page and room.seed.encode() not in page
    first = room.generation
    admin_client.post(
        "/admin/reservations/waitingroom/",
        {"action": "revoke_turns", "_selected_action": [event.pk]},
    )
    room.refresh_from_db()
    assert room.generation == first + 1


def test_a_waiting_room_cannot_go_on_sale_before_it_opens(admin_client):
    from reservations.models import WaitingRoom

    event = event_with_seats()
    answer = admin_client.post(
        "/admin/reservations/waitingroom/add/",
        {
            "event": event.pk,
            "opens_at_0": "2030-01-01",
            "opens_at_1": "11:00:00",
            "on_sale_at_0": "2030-01-01",
            "on_sale_at_1": "10:00:00",
            "turn_seconds": 600,
            "claim_seconds": 120,
            "max_active": 300,
        },
    )
    assert answer.status_code == 200 and b"cannot come before" in answer.content
    assert not WaitingRoom.objects.exists()


def test_the_admin_refuses_a_randomness_not_of_the_named_round_and_a_source_changed_late(
    admin_client,
):
    """Issue 40 row 6: the organiser can neither pick the draw's randomness nor swap the round
    once the queue has opened."""
    from reservations.models import WaitingRoom
    from reservations.waiting_room.organiser import room_create

    event = event_with_seats()
    now = timezone.now()
    on_sale = now + timedelta(hours=1)
    first_after = (int(on_sale.timestamp()) - 1692803367) // 3 + 2  # quicknet, after the on-sale
    room = room_create(
        event=event,
        opens_at=now - timedelta(minutes=5),
        on_sale_at=on_sale,
        randomness_source=f"drand quicknet round {first_after}",
    )
    form = {
        "event": event.pk,
        "opens_at_0": f"{room.opens_at:%Y-%m-%d}",
        "opens_at_1": f"{room.opens_at:%H:%M:%S}",
        "on_sale_at_0": f"{on_sale:%Y-%m-%d}",
        "on_sale_at_1": f"{on_sale:%H:%M:%S}",
        "turn_seconds": 600,
        "claim_seconds": 120,
        "max_active": 300,
        "randomness_source": room.randomness_source,
    }
    url = f"/admin/reservations/waitingroom/{event.pk}/change/"
    picked = admin_client.post(url, form | {"public_randomness": "ab" * 48})
    assert picked.status_code == 200 and b"not a drand signature" in picked.content
    swapped = admin_client.post(url, form | {"randomness_source": "drand quicknet round 99999999"})
    assert swapped.status_code == 200 and b"its randomness source is fixed" in swapped.content
    room = WaitingRoom.objects.get(event=event)
    assert room.public_randomness == "" and room.randomness_source.endswith(str(first_after))
