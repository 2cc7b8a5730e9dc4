"""Signed webhooks (reservations/webhooks/): a booking confirmed or cancelled on either path is
one message in the outbox, written in the booking's own transaction by the reservation table's
trigger, and one signed POST to each endpoint that asked for it, verified here with the
`standardwebhooks` library's own verifier against a real receiver on 127.0.0.1."""

import json

import pytest
from django.db import connection, transaction

from harness.servers import full_stack_env, manage_each, migrated_sqlite
from reservations.models import Reservation, WebhookDelivery, WebhookEndpoint, WebhookMessage
from reservations.webhooks.worker import Worker

from . import booking_calls
from .conftest import bearer_client
from .console_staff import staff_api
from .factories import UserFactory, event_with_seats
from .fast_calls import JSON, bearer, call, on_one_loop
from .webhook_receiver import CANCELLED, CONFIRMED, Receiver, endpoint_for

pytestmark = pytest.mark.django_db(transaction=True)


def expected_data(reservation_id: int) -> dict:
    """The reservation as its message's `data` must say it, read back through the ORM."""
    reservation = Reservation.objects.select_related("event").get(pk=reservation_id)
    seats = reservation.reserved_seats.exclude(ended="moved").select_related("seat")
    return {
        "id": reservation.pk,
        "event": reservation.event_id,
        "buyer": reservation.user_id,
        "status": reservation.status,
        "total": f"{reservation.total_price:.2f}",
        "currency": reservation.event.currency,
        "seats": [
            {
                "id": b.seat_id,
                "label": b.seat.label,
                "section": b.seat.section,
                "row": b.seat.row,
                "price": f"{b.price:.2f}",
            }
            for b in seats
        ],
    }


def timeless(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("created_at", "cancelled_at")}


def assert_one_signed_delivery_each(receiver, endpoint, reservation_id: int, statuses: list):
    """The receiver got one POST per status, in the order they happened, each signed with the
    endpoint's secret, its webhook-id the message's, its data the reservation as it then was."""
    arrivals = {arrival.msg_id: arrival for arrival in receiver.delivered()}
    messages = list(WebhookMessage.objects.filter(reservation_id=reservation_id).order_by("id"))
    assert [m.type for m in messages] == [f"reservation.{s}" for s in statuses]
    assert list(arrivals) == [m.msg_id for m in messages]
    for message, status in zip(messages, statuses, strict=True):
        body = arrivals[message.msg_id].verified(endpoint.secret)
        assert body["type"] == f"reservation.{status}"
        data = body["data"]
        assert timeless(data) == {**timeless(expected_data(reservation_id)), "status": status}
        assert data["created_at"].endswith("Z")
        assert (data["cancelled_at"] is None) == (status == "confirmed")
    assert len(receiver.delivered()) == len(statuses)
    assert set(WebhookDelivery.objects.values_list("state", "attempts")) == {("delivered", 1)}


def test_a_booking_confirmed_and_cancelled_through_django_sends_one_signed_post_each(receiver):
    endpoint = endpoint_for(receiver, CONFIRMED, CANCELLED)
    event = event_with_seats(rows=1, seats_per_row=4)
    seats = list(event.seats.order_by("id"))
    alice = bearer_client(UserFactory(username="alice"))
    ids = [seats[0].id, seats[1].id]
    locked = alice.post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}, format="json")
    assert locked.status_code == 200
    booked = alice.post(f"/api/events/{event.id}/reserve/", {"seat_ids": ids}, format="json")
    reservation_id = booked.json()["reservation"]["id"]
    Worker().drain()
    assert_one_signed_delivery_each(receiver, endpoint, reservation_id, ["confirmed"])
    assert alice.post(f"/api/reservations/{reservation_id}/cancel/").status_code == 200
    Worker().drain()
    assert_one_signed_delivery_each(receiver, endpoint, reservation_id, ["confirmed", "cancelled"])


def test_a_cancellation_lists_the_seats_it_gave_back_not_those_a_reseat_moved(receiver):
    endpoint = endpoint_for(receiver, CANCELLED)
    event = event_with_seats(rows=1, seats_per_row=4)
    a, b, c = event.seats.order_by("id")[:3]
    alice = bearer_client(UserFactory(username="alice"))
    alice.post(f"/api/events/{event.id}/lock/", {"seat_ids": [a.id, b.id]}, format="json")
    booked = alice.post(
        f"/api/events/{event.id}/reserve/", {"seat_ids": [a.id, b.id]}, format="json"
    )
    reservation_id = booked.json()["reservation"]["id"]
    moved = staff_api("Manager").post(
        f"/api/staff/reservations/{reservation_id}/reseat/", {"moves": [[b.id, c.id]]}, "json"
    )
    assert moved.status_code == 200, moved.content
    assert alice.post(f"/api/reservations/{reservation_id}/cancel/").status_code == 200
    Worker().drain()

    (arrival,) = receiver.delivered()
    assert [seat["id"] for seat in arrival.verified(endpoint.secret)["data"]["seats"]] == [
        a.id,
        c.id,
    ]


def test_a_booking_confirmed_and_cancelled_on_the_fast_path_sends_one_signed_post_each(
    receiver, fast
):
    endpoint = endpoint_for(receiver, CONFIRMED, CANCELLED)
    event = event_with_seats(rows=1, seats_per_row=4)
    ids = list(event.seats.order_by("id").values_list("id", flat=True)[:2])
    token = [(b"authorization", bearer(UserFactory(username="alice")))]
    body = json.dumps({"seat_ids": ids}).encode()

    async def book_and_cancel():
        headers = [*token, (b"content-type", JSON)]
        await call(fast, f"/api/events/{event.id}/lock/", headers=headers, body=body)
        status, booked, answer = await call(
            fast, f"/api/events/{event.id}/reserve/", headers=headers, body=body
        )
        assert (status, answer["x-seatmap-path"]) == (201, "fast")
        reservation_id = booked["reservation"]["id"]
        cancel = f"/api/reservations/{reservation_id}/cancel/"
        assert (await call(fast, cancel, headers=token))[0] == 200
        return reservation_id

    reservation_id = on_one_loop(fast, book_and_cancel)
    assert fast.django_app.paths == []
    Worker().drain()
    assert_one_signed_delivery_each(receiver, endpoint, reservation_id, ["confirmed", "cancelled"])


def test_a_booking_rolled_back_leaves_no_message_and_sends_nothing(receiver, alice):
    endpoint_for(receiver, CONFIRMED, CANCELLED)
    event = event_with_seats(rows=1, seats_per_row=4)
    seat = event.seats.first()
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seat.id)

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        booked = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seat.id])
        assert Reservation.objects.filter(pk=booked.reservation.pk).exists()
        raise Abandoned  # after the reservation and its seats were written
    Worker().drain()
    assert (WebhookMessage.objects.count(), receiver.arrivals) == (0, [])
    # The control: the same booking, committed, is one message and one POST.
    booked = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seat.id])
    Worker().drain()
    assert [a.msg_id for a in receiver.delivered()] == list(
        WebhookMessage.objects.values_list("msg_id", flat=True)
    )


def test_each_endpoint_hears_only_of_its_event_and_the_types_it_asked_for(alice):
    concert, play = event_with_seats(name="Concert"), event_with_seats(name="Play")
    receivers = {name: Receiver().start() for name in ("all", "concert", "play", "off")}
    try:
        everything = endpoint_for(receivers["all"], CONFIRMED)
        concert_only = endpoint_for(receivers["concert"], CANCELLED, event=concert)
        endpoint_for(receivers["play"], CONFIRMED, CANCELLED, event=play)
        endpoint_for(receivers["off"], CONFIRMED, CANCELLED, enabled=False)
        seat = concert.seats.first()
        booking_calls.lock(user=alice, event_id=concert.id, seat_id=seat.id)
        booked = booking_calls.reserve(user=alice, event_id=concert.id, seat_ids=[seat.id])
        booking_calls.cancel(user=alice, reservation_id=booked.reservation.pk)
        Worker().drain()
        heard = {
            name: [a.verified(e.secret)["type"] for a in r.delivered()]
            for (name, r), e in zip(
                receivers.items(),
                [everything, concert_only, *WebhookEndpoint.objects.order_by("id")[2:]],
                strict=True,
            )
        }
    finally:
        for r in receivers.values():
            r.stop()
    assert heard == {"all": [CONFIRMED], "concert": [CANCELLED], "play": [], "off": []}


def test_no_endpoint_no_message(alice):
    """Nobody asked: the trigger looks, and writes nothing."""
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.first()
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seat.id)
    booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seat.id])
    assert WebhookMessage.objects.count() == 0
    with connection.cursor() as cursor:  # and the trigger is there
        cursor.execute(
            "SELECT tgdeferrable, tginitdeferred FROM pg_trigger"
            " WHERE tgname = 'reservations_webhook_message'"
        )
        assert cursor.fetchone() == (True, True)


# The embedded default's database: SQLite's triggers write the same messages, and the worker
# (`deliver_webhooks --once`, a process of its own) sends them.
SQLITE_SCRIPT = """
import json, os
from reservations.tests import booking_calls
from reservations.models import WebhookEndpoint
from reservations.services.booking_changes import reservation_reseat
from reservations.tests.factories import UserFactory, event_with_seats
endpoint = WebhookEndpoint.objects.create(
    url=os.environ["RECEIVER"], event_types=["reservation.confirmed", "reservation.cancelled"])
event = event_with_seats(rows=1, seats_per_row=3)
alice = UserFactory(username="alice")
a, b, c = event.seats.order_by("id")
booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[a.id, b.id])
booking = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[a.id, b.id])
reservation_reseat(staff_id=alice.id, reservation_id=booking.reservation.pk, moves=[(b.id, c.id)])
booking_calls.cancel(user=alice, reservation_id=booking.reservation.pk)
seats = [[a.id, b.id], [a.id, c.id]]
print(json.dumps({"secret": endpoint.secret, "seats": seats, "buyer": alice.id}))
"""


@pytest.mark.slow
def test_on_sqlite_a_booking_and_its_cancellation_are_sent_signed(tmp_path, receiver):
    env = full_stack_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="", RECEIVER=receiver.url
    )
    migrated_sqlite(env)
    said, _ = manage_each(env, ("shell", "-c", SQLITE_SCRIPT), ("deliver_webhooks", "--once"))
    made = json.loads(said.splitlines()[-1])
    bodies = [arrival.verified(made["secret"]) for arrival in receiver.delivered()]
    assert [body["type"] for body in bodies] == [CONFIRMED, CANCELLED]
    # A seat moved away (a reseat before the cancel) is not among the seats given back.
    for body, status, seats in zip(bodies, ["confirmed", "cancelled"], made["seats"], strict=True):
        data = body["data"]
        assert (data["status"], data["buyer"], data["total"]) == (status, made["buyer"], "100.00")
        assert [seat["id"] for seat in data["seats"]] == seats
        assert data["seats"][0] == {
            "id": seats[0],
            "label": "A1",
            "section": "Floor",
            "row": "A",
            "price": "50.00",
        }
        assert data["created_at"].endswith("Z") and (data["cancelled_at"] is None) == (
            status == "confirmed"
        )
