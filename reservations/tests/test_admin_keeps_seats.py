"""Nothing an operator does in the admin loses a seat: every action and every delete the admin
offers, walked on an event with live holds and confirmed bookings, leaves each seat sellable (a
buyer can hold it through the service), held (its holder can book it), sold (in a confirmed
booking its buyer's list shows) or blocked by choice (and back on sale with the action)."""

import json
import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.test import RequestFactory
from django.utils import timezone

from harness.servers import free_port
from reservations.admin.events import EventAdmin
from reservations.exceptions import BookingError
from reservations.models import (
    Event,
    PriceCategory,
    Reservation,
    ReservedSeat,
    Seat,
    VenueLayout,
    WaitingRoom,
    WebhookDelivery,
    WebhookEndpoint,
)
from reservations.rules import effective_status
from reservations.services.blocking import seats_block
from reservations.services.box_office import box_office_sell
from reservations.services.venues import layout_create
from reservations.venues.layout_file import parse_layout
from reservations.waiting_room.rooms_in_memory import rooms
from reservations.waiting_room.turn_tokens import turn_token

from . import booking_calls
from .admin_forms import admin_action, admin_delete, event_change_form
from .conftest import bearer_client
from .factories import UserFactory, event_with_seats
from .test_venues import SMALL

pytestmark = pytest.mark.django_db

User = get_user_model()

# Every model the admin shows: (its actions, whether it offers a delete). A new action or delete
# fails this until the walk below takes it too.
OFFERED = {
    "auth.group": ({"delete_selected"}, True),
    "auth.user": ({"deactivate_selected"}, False),
    "reservations.event": ({"delete_selected"}, True),
    "reservations.reservation": ({"cancel_selected", "delete_selected"}, True),
    "reservations.seat": ({"block_selected", "unblock_selected", "categorise_selected"}, False),
    "reservations.venuelayout": ({"delete_selected"}, True),
    "reservations.waitingroom": ({"revoke_turns", "delete_selected"}, True),
    "reservations.webhookdelivery": ({"retry_now"}, False),
    "reservations.webhookendpoint": ({"send_test", "delete_selected"}, True),
}
MODELS = {
    "group": Group,
    "user": User,
    "waitingroom": WaitingRoom,
    "reservation": Reservation,
    "seat": Seat,
    "event": Event,
    "venuelayout": VenueLayout,
    "webhookendpoint": WebhookEndpoint,
}


class _Probed(Exception):
    """Rolls a probe's hold or booking back: the walk looks, it does not buy."""


def _can(call) -> bool:
    try:
        with transaction.atomic():
            call()
            raise _Probed
    except _Probed:
        return True
    except BookingError:
        return False


def fates(event: Event) -> dict[str, str]:
    """Each seat of the event by label: "sellable", "held by X", "sold to X", "blocked", or
    "LOST" when it is none of these as checked through the services and the API."""
    probe = UserFactory(username="probe")
    now = timezone.now()
    room = rooms.room_of(event.pk)  # a turn while it is on, as booking sees it
    turn = room and turn_token(
        user_id=probe.pk,
        event_id=event.pk,
        generation=room.generation,
        expires_at=now + timedelta(minutes=10),
    )
    booked: dict[int, set[int]] = {}  # by buyer: the seats of their confirmed bookings listed
    result = {}
    for seat in event.seats.select_related("held_by", "reserved_by"):
        status = effective_status(seat.status, seat.held_until, now)
        if seat.blocked:
            fate = "blocked"
        elif status == Seat.Status.RESERVED and seat.reserved_by is not None:
            buyer = seat.reserved_by
            if buyer.pk not in booked:
                listed = bearer_client(buyer).get("/api/reservations/?page_size=100").json()
                booked[buyer.pk] = {
                    s["id"] for r in listed if r["status"] == "confirmed" for s in r["seats"]
                }
            fate = f"sold to {buyer.username}" if seat.pk in booked[buyer.pk] else "LOST"
        elif status == Seat.Status.RESERVED:  # no account: sold at the box office, if it was
            sold = ReservedSeat.objects.filter(
                seat=seat, is_active=True, reservation__channel="box_office"
            )
            fate = "sold at the box office" if sold.exists() else "LOST"
        elif status == Seat.Status.LOCKED:
            holder = seat.held_by

            def book(holder=holder, seat=seat):
                booking_calls.reserve(user=holder, event_id=event.pk, seat_ids=[seat.pk])

            fate = f"held by {holder.username}" if _can(book) else "LOST"
        else:

            def hold(seat=seat):
                booking_calls.lock(user=probe, event_id=event.pk, seat_id=seat.pk, turn=turn)

            fate = "sellable" if _can(hold) else "LOST"
        result[seat.label] = fate
    probe.delete()
    return result


@dataclass
class Sale:
    event: Event
    confirmed: Reservation
    cancelled: Reservation
    fates: dict[str, str]


@pytest.fixture
def sale(admin_client, alice, bob) -> Sale:
    """An event on sale (A1 to A6, B1 to B6): A1 and A2 held by alice, A3 to A5 sold to bob, A6
    and B1 carol's cancelled booking, B5 sold at the box office, B6 blocked; with a waiting
    room."""
    event = event_with_seats(rows=2, seats_per_row=6)
    ids = list(event.seats.values_list("id", flat=True))
    carol = UserFactory(username="carol")
    booking_calls.lock_several(user=alice, event_id=event.pk, seat_ids=ids[0:2])
    booking_calls.lock_several(user=bob, event_id=event.pk, seat_ids=ids[2:5])
    confirmed = booking_calls.reserve(user=bob, event_id=event.pk, seat_ids=ids[2:5])
    booking_calls.lock_several(user=carol, event_id=event.pk, seat_ids=ids[5:7])
    cancelled = booking_calls.reserve(user=carol, event_id=event.pk, seat_ids=ids[5:7])
    booking_calls.cancel(user=carol, reservation_id=cancelled.reservation.pk)
    box_office_sell(
        staff_id=User.objects.get(username="root").pk,
        event_id=event.pk,
        seat_ids=[ids[10]],
        payment="cash",
    )
    seats_block(event_id=event.pk, seat_ids=[ids[11]], reason="sound desk")
    WaitingRoom.objects.create(
        event=event, opens_at=timezone.now(), on_sale_at=timezone.now() + timedelta(hours=1)
    )
    expected = {label: "sellable" for label in event.seats.values_list("label", flat=True)}
    expected |= {"A1": "held by alice", "A2": "held by alice", "B6": "blocked"}
    expected |= {"B5": "sold at the box office"}
    expected |= {label: "sold to bob" for label in ("A3", "A4", "A5")}
    assert fates(event) == expected
    return Sale(event, confirmed.reservation, cancelled.reservation, expected)


def offered() -> dict[str, tuple[set[str], bool]]:
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="root")
    return {
        model._meta.label_lower: (
            set(model_admin.get_actions(request)),
            model_admin.has_delete_permission(request),
        )
        for model, model_admin in admin.site._registry.items()
    }


def test_every_admin_action_and_delete_leaves_every_seat_sellable_held_or_sold(
    admin_client, sale, alice, bob
):
    event, expected = sale.event, dict(sale.fates)
    assert offered() == OFFERED
    seat_ids = list(event.seats.values_list("id", flat=True))
    by_label = dict(event.seats.values_list("label", "id"))

    # What changes no seat's fate: a block of held and sold seats (refused), a new category,
    # revoked turns, a webhook's test and its retry, the change forms.
    premium = PriceCategory.objects.create(
        event=event, name="Premium", price="80.00", colour="#aa0000"
    )
    admin_action(admin_client, "seat", "block_selected", seat_ids, reason="camera")
    admin_action(admin_client, "seat", "categorise_selected", seat_ids, category=premium.pk)
    admin_action(admin_client, "waitingroom", "revoke_turns", [event.pk])
    hook = WebhookEndpoint.objects.create(
        url=f"http://127.0.0.1:{free_port()}/", event_types=["reservation.confirmed"]
    )
    admin_action(admin_client, "webhookendpoint", "send_test", [hook.pk])
    admin_action(admin_client, "webhookdelivery", "retry_now", [WebhookDelivery.objects.get().pk])
    standard = event.categories.get(name="Standard")
    assert (
        admin_client.post(
            f"/admin/reservations/event/{event.pk}/change/",
            event_change_form(event, standard)
            | {
                "categories-TOTAL_FORMS": "2",
                "categories-INITIAL_FORMS": "2",
                "categories-1-id": premium.pk,
                "categories-1-event": event.pk,
                "categories-1-name": "Premium",
                "categories-1-price": "80.00",
                "categories-1-colour": "#aa0000",
                "categories-1-position": "0",
            },
        ).status_code
        == 302
    )
    for label in ("A1", "A3", "B6"):
        page = f"/admin/reservations/seat/{by_label[label]}/change/"
        assert admin_client.post(page, {"blocked_reason": "checked"}).status_code == 302
    page = f"/admin/reservations/reservation/{sale.confirmed.pk}/change/"
    assert admin_client.post(page, {}).status_code == 403
    assert fates(event) == expected

    # Every delete, of everything at once and of each thing alone; beside the sale, an event
    # with a hold and no booking, and one with neither.
    Group.objects.create(name="ushers")
    matinee = event_with_seats(rows=1, seats_per_row=2, name="Matinee")
    booking_calls.lock(user=alice, event_id=matinee.pk, seat_id=matinee.seats.first().pk)
    spare = event_with_seats(rows=1, seats_per_row=2, name="Rehearsal")
    layout_create(spec=parse_layout(json.dumps(SMALL).encode()))
    for model, Model in MODELS.items():
        everything = list(Model.objects.values_list("pk", flat=True))
        admin_action(admin_client, model, "delete_selected", everything)
        for pk in everything:
            admin_delete(admin_client, model, pk)
        assert fates(event) == expected, f"deleting {model}s"
        assert fates(matinee) == {"A1": "held by alice", "A2": "sellable"}, f"deleting {model}s"
    assert not Event.objects.filter(pk=spare.pk).exists()  # nothing held or sold: it went
    assert not Reservation.objects.filter(pk=sale.cancelled.pk).exists()
    assert not Group.objects.exists() and not VenueLayout.objects.exists()
    assert not WaitingRoom.objects.exists()

    # What changes fates, and to what.
    admin_action(admin_client, "seat", "unblock_selected", seat_ids)
    expected["B6"] = "sellable"
    assert fates(event) == expected
    admin_action(admin_client, "seat", "block_selected", [by_label["A6"], by_label["B1"]])
    assert fates(event) == expected | {"A6": "blocked", "B1": "blocked"}
    admin_action(admin_client, "seat", "unblock_selected", seat_ids)
    assert fates(event) == expected
    reservations = list(Reservation.objects.values_list("pk", flat=True))
    admin_action(admin_client, "reservation", "cancel_selected", reservations)
    expected |= {"A3": "sellable", "A4": "sellable", "A5": "sellable", "B5": "sellable"}
    assert fates(event) == expected
    admin_action(admin_client, "user", "deactivate_selected", [alice.pk, bob.pk])
    expected |= {"A1": "sellable", "A2": "sellable"}
    assert fates(event) == expected
    assert set(expected.values()) == {"sellable"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("way", ["delete page", "delete selected"])
def test_a_hold_clicked_between_the_delete_check_and_the_delete_never_goes_with_the_event(
    admin_client, alice, monkeypatch, way
):
    """The admin checks an event for holds under its seat rows' locks, in the transaction that
    then deletes it: a click in between waits or is refused, and never holds a seat that is
    deleted under it. (Without the locks the click wins, and the delete fails on the service's
    own check under them: a server error instead of the page.)"""
    event = event_with_seats(rows=1, seats_per_row=2)
    seat_id = event.seats.first().pk
    checked, clicked, results = threading.Event(), threading.Event(), {}

    def click():
        checked.wait(10)
        try:
            results["hold"] = booking_calls.lock(user=alice, event_id=event.pk, seat_id=seat_id)
        except Exception as exc:  # recorded: the test says which
            results["hold"] = exc
        finally:
            clicked.set()
            connections.close_all()

    def after_the_click(delete):
        def deleting(self, request, objects):
            checked.set()
            clicked.wait(1)  # the click is refused at once, or waits on the row lock
            return delete(self, request, objects)

        return deleting

    for name in ("delete_model", "delete_queryset"):
        monkeypatch.setattr(EventAdmin, name, after_the_click(getattr(EventAdmin, name)))
    clicker = threading.Thread(target=click)
    clicker.start()
    if way == "delete page":
        answer = admin_delete(admin_client, "event", event.pk)
        assert answer.status_code == 302
    else:
        admin_action(admin_client, "event", "delete_selected", [event.pk])
    clicker.join(10)
    assert not Event.objects.filter(pk=event.pk).exists()
    assert isinstance(results["hold"], BookingError), results
