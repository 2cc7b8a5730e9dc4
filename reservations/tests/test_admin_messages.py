"""Every admin action says what it did, counted, and what it left and why; every refused delete
says what keeps the thing and what to do."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.utils import timezone

from reservations.admin.seats import SeatAdmin
from reservations.models import (
    Event,
    PriceCategory,
    Reservation,
    Seat,
    WaitingRoom,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from reservations.services.blocking import seats_block
from reservations.services.box_office import box_office_sell
from reservations.services.event_deletion import events_delete

from . import booking_calls
from .admin_forms import admin_action, admin_delete, event_change_form
from .factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return event_with_seats(rows=1, seats_per_row=5)


@pytest.fixture
def ids(event):
    return list(event.seats.values_list("id", flat=True))


def test_putting_seats_back_on_sale_counts_what_it_freed_and_what_it_left(admin_client, ids):
    seats_block(event_id=Seat.objects.get(pk=ids[0]).event_id, seat_ids=ids[:3])
    assert admin_action(admin_client, "seat", "unblock_selected", ids) == [
        "3 seats put back on sale; 2 were not blocked and were left as they are."
    ]
    assert admin_action(admin_client, "seat", "unblock_selected", ids[:1]) == [
        "0 seats put back on sale; 1 was not blocked and was left as it is."
    ]
    assert not Seat.objects.filter(blocked=True).exists()


def test_blocking_counts_and_a_refusal_names_the_event_and_the_taken_seats(
    admin_client, event, ids, alice
):
    assert admin_action(admin_client, "seat", "block_selected", ids[1:3]) == ["2 seats blocked."]
    assert admin_action(admin_client, "seat", "block_selected", ids[2:4]) == [
        "1 seat blocked; 1 was blocked already and was left as it is."
    ]
    booking_calls.lock(user=alice, event_id=event.pk, seat_id=ids[0])
    assert admin_action(admin_client, "seat", "block_selected", [ids[0], ids[4]]) == [
        "Concert XYZ: nothing blocked of 2 selected seats. Only free seats can be taken off"
        " sale; A1 is held by a buyer.",
        "0 seats blocked.",
    ]
    assert not Seat.objects.get(pk=ids[4]).blocked


def test_putting_seats_into_a_category_counts_those_moved(admin_client, event, ids):
    premium = PriceCategory.objects.create(event=event, name="Premium", price=90, colour="#aa0000")
    first = {"category": premium.pk}
    assert admin_action(admin_client, "seat", "categorise_selected", ids[:1], **first) == [
        "1 seat put into Premium."
    ]
    assert admin_action(admin_client, "seat", "categorise_selected", ids[:3], **first) == [
        "2 seats put into Premium; 1 was in Premium already and was left as it is."
    ]


def test_cancelling_counts_the_reservations_and_their_seats(admin_client, event, ids, bob):
    carol = UserFactory(username="carol")
    booking_calls.lock_several(user=bob, event_id=event.pk, seat_ids=ids[:2])
    confirmed = booking_calls.reserve(user=bob, event_id=event.pk, seat_ids=ids[:2])
    booking_calls.lock(user=carol, event_id=event.pk, seat_id=ids[2])
    gone = booking_calls.reserve(user=carol, event_id=event.pk, seat_ids=ids[2:3])
    booking_calls.cancel(user=carol, reservation_id=gone.reservation.pk)
    both = [confirmed.reservation.pk, gone.reservation.pk]
    assert admin_action(admin_client, "reservation", "cancel_selected", both) == [
        "1 reservation cancelled, 2 seats back on sale; 1 was cancelled already."
    ]
    assert set(event.seats.values_list("status", flat=True)) == {"available"}


def test_deactivating_counts_the_users(admin_client, event, ids, alice, bob):
    booking_calls.lock(user=alice, event_id=event.pk, seat_id=ids[0])
    get_user_model().objects.filter(pk=bob.pk).update(is_active=False)
    assert admin_action(admin_client, "user", "deactivate_selected", [alice.pk, bob.pk]) == [
        "1 user deactivated, their holds released; 1 was inactive already."
    ]
    assert Seat.objects.get(pk=ids[0]).status == "available"


def test_revoking_turns_counts_the_events(admin_client, event):
    now = timezone.now()
    WaitingRoom.objects.create(event=event, opens_at=now, on_sale_at=now)
    assert admin_action(admin_client, "waitingroom", "revoke_turns", [event.pk]) == [
        "Revoked the turns of 1 event."
    ]


def test_a_confirmed_reservation_is_not_deleted_but_told_to_be_cancelled(
    admin_client, event, ids, bob
):
    booking_calls.lock_several(user=bob, event_id=event.pk, seat_ids=ids[:2])
    reservation = booking_calls.reserve(user=bob, event_id=event.pk, seat_ids=ids[:2])
    pk = reservation.reservation.pk
    page = admin_delete(admin_client, "reservation", pk)
    assert page.status_code == 200
    assert (
        f"Reservation {pk} (confirmed) of bob holds its seats: cancel it with &#x27;Cancel the"
        " selected reservations&#x27;, which puts them back on sale, then delete it."
    ) in page.content.decode()
    assert admin_action(admin_client, "reservation", "delete_selected", [pk]) == []
    assert Reservation.objects.get(pk=pk).status == "confirmed"

    booking_calls.cancel(user=bob, reservation_id=pk)
    assert admin_delete(admin_client, "reservation", pk).status_code == 302
    assert not Reservation.objects.filter(pk=pk).exists()
    assert set(event.seats.values_list("status", flat=True)) == {"available"}


def test_an_event_with_holds_is_not_deleted_and_says_why(admin_client, event, ids, alice):
    booking_calls.lock_several(user=alice, event_id=event.pk, seat_ids=ids[:2])
    page = admin_delete(admin_client, "event", event.pk)
    assert page.status_code == 200
    assert (
        "Concert XYZ cannot be deleted: 2 seats held by buyers now (A1, A2): their holds end by"
        " themselves, in 10 minutes at most."
    ) in page.content.decode()
    assert admin_action(admin_client, "event", "delete_selected", [event.pk]) == []
    with pytest.raises(ProtectedError):
        events_delete(event_ids=[event.pk])
    assert Seat.objects.filter(pk__in=ids[:2], status="locked", held_by=alice).count() == 2

    booking_calls.unlock(user=alice, event_id=event.pk, seat_id=ids[0])
    booking_calls.unlock(user=alice, event_id=event.pk, seat_id=ids[1])
    assert admin_delete(admin_client, "event", event.pk).status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()


def test_an_event_with_sales_is_not_deleted_and_says_why(admin_client, event, ids, bob):
    booking_calls.lock_several(user=bob, event_id=event.pk, seat_ids=ids[:1])
    booking_calls.reserve(user=bob, event_id=event.pk, seat_ids=ids[:1])
    page = admin_delete(admin_client, "event", event.pk).content.decode()
    assert (
        "Concert XYZ cannot be deleted: 1 seat sold (A1): cancel their reservations first,"
        " which puts the seats back on sale."
    ) in page


def test_saving_a_seats_reason_keeps_a_hold_taken_while_the_form_was_posted(
    admin_client, event, ids, alice, monkeypatch
):
    read_form = SeatAdmin.save_form

    def buyer_holds_meanwhile(self, request, form, change):
        seat = read_form(self, request, form, change)
        booking_calls.lock(user=alice, event_id=event.pk, seat_id=seat.pk)
        return seat

    monkeypatch.setattr(SeatAdmin, "save_form", buyer_holds_meanwhile)
    page = f"/admin/reservations/seat/{ids[0]}/change/"
    assert admin_client.post(page, {"blocked_reason": "camera"}).status_code == 302
    seat = Seat.objects.get(pk=ids[0])
    assert (seat.status, seat.held_by, seat.blocked_reason) == ("locked", alice, "camera")


def test_a_category_with_seats_is_not_deleted_from_its_events_form(admin_client, event):
    (category,) = event.categories.all()
    form = event_change_form(event, category, DELETE="on")
    page = admin_client.post(f"/admin/reservations/event/{event.pk}/change/", form)
    assert page.status_code == 200
    assert "would require deleting the following protected related objects" in (
        page.content.decode()
    )
    assert event.categories.count() == 1 and event.seats.count() == 5


def test_an_event_with_sales_and_a_webhook_endpoint_is_refused_for_its_sales(
    admin_client, event, ids, bob
):
    """Issue 55: the page said "permission to delete webhook delivery", not the sold seats."""
    endpoint = WebhookEndpoint.objects.create(
        url="https://crm.example.com/hook", event_types=["reservation.confirmed"]
    )
    booking_calls.lock_several(user=bob, event_id=event.pk, seat_ids=ids[:1])
    booking_calls.reserve(user=bob, event_id=event.pk, seat_ids=ids[:1])
    # What the booking's trigger writes at its commit (this test's transaction never commits).
    message = WebhookMessage.objects.create(
        msg_id="msg_1",
        type="reservation.confirmed",
        event=event,
        payload={},
        created_at=event.starts_at,
    )
    WebhookDelivery.objects.create(message=message, endpoint=endpoint)
    page = admin_delete(admin_client, "event", event.pk).content.decode()
    assert "Concert XYZ cannot be deleted: 1 seat sold (A1)" in page
    assert "webhook deliver" not in page


def test_a_box_office_booking_is_named_by_its_buyer_not_none(admin_client, event, ids):
    staff = UserFactory(username="till")
    sale = box_office_sell(
        staff_id=staff.pk, event_id=event.pk, seat_ids=ids[:1], payment="cash", buyer_name="Ann"
    )
    page = admin_delete(admin_client, "reservation", sale.pk).content.decode()
    assert f"Reservation {sale.pk} (confirmed) of Ann holds its seats" in page
    assert "of None" not in page


def test_an_order_awaiting_payment_is_neither_cancelled_nor_deleted_and_keeps_its_seats(
    admin_client, event, ids, bob
):
    Event.objects.filter(pk=event.pk).update(paid_with="venue")
    booking_calls.lock_several(user=bob, event_id=event.pk, seat_ids=ids[:2])
    pk = booking_calls.reserve(user=bob, event_id=event.pk, seat_ids=ids[:2]).reservation.pk

    assert admin_action(admin_client, "reservation", "cancel_selected", [pk]) == [
        "0 reservations cancelled, 0 seats back on sale; 1 awaiting payment was left as it is"
        " (each ends with its pay window, or its buyer cancels it)."
    ]
    page = admin_delete(admin_client, "reservation", pk)
    assert page.status_code == 200
    assert f"Reservation {pk} (awaiting_payment) of bob holds its seats" in page.content.decode()
    assert admin_action(admin_client, "reservation", "delete_selected", [pk]) == []

    assert Reservation.objects.get(pk=pk).status == "awaiting_payment"
    assert set(event.seats.filter(pk__in=ids[:2]).values_list("status", flat=True)) == {"paying"}
