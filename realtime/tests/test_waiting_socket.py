"""PROTOCOL.md "Waiting room": on an event whose waiting room is on, a socket waits for its
turn on queue frames, never seats; a good turn token ends the wait; the room's state reaches
every waiting socket at once, sold out included. Real Redis and PostgreSQL."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from reservations.models import Seat
from reservations.tests import booking_calls
from reservations.tests.factories import VerifiedUserFactory
from reservations.tests.queue_rooms import event_with_room
from reservations.waiting_room.places import place_join
from reservations.waiting_room.rooms_in_memory import rooms
from reservations.waiting_room.ticks import room_tick
from reservations.waiting_room.turn_tokens import turn_token

from .test_consumer import next_of_type, watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("relay")]

call = database_sync_to_async


@pytest.fixture
async def event():
    rooms.forget()
    return await call(event_with_room)(seats=4, on_sale_in=3600)


@pytest.fixture
async def alice():
    return await call(VerifiedUserFactory)(username="alice")


async def waiting(event_id):
    # Asking for `snapshot` frames: one that says whose it is while it waits gets them.
    socket = watch(event_id, query="?snapshot=full")
    accepted, _ = await socket.connect()
    assert accepted
    first = await socket.receive_json_from(timeout=5)
    assert first["type"] == "queue"
    return socket, first


def _turn(user, event, minutes=10):
    expires = timezone.now() + timedelta(minutes=minutes)
    generation = event.waiting_room.generation  # as room_create left it, no query
    return turn_token(user_id=user.pk, event_id=event.id, generation=generation, expires_at=expires)


async def test_a_waiting_socket_gets_the_queue_not_the_seats(event, alice):
    socket, first = await waiting(event.id)
    assert first["state"] == "scheduled" and first["event_id"] == event.id
    assert len(first["commitment"]) == 64
    await socket.send_json_to({"type": "snapshot"})
    assert await next_of_type(socket, "error") == {"type": "error", "code": "queue_turn_required"}
    seat = await call(lambda: Seat.objects.filter(event=event).first())()
    await call(booking_calls.lock)(
        user=alice, event_id=event.id, seat_id=seat.id, turn=_turn(alice, event)
    )
    assert await socket.receive_nothing(timeout=0.5)  # no seats frame for a waiting socket
    await socket.disconnect()


async def test_a_good_turn_ends_the_wait_with_a_snapshot_and_a_bad_one_is_answered(event, alice):
    socket, _ = await waiting(event.id)
    await socket.send_json_to({"type": "turn", "token": _turn(alice, event, minutes=-1)})
    assert await next_of_type(socket, "error") == {"type": "error", "code": "queue_turn_expired"}
    other = await call(VerifiedUserFactory)(username="mallory")
    await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(alice))})
    await socket.send_json_to({"type": "turn", "token": _turn(other, event)})
    assert await next_of_type(socket, "error") == {"type": "error", "code": "queue_turn_required"}
    await socket.send_json_to({"type": "turn", "token": _turn(alice, event)})
    snapshot = await next_of_type(socket, "snapshot")
    assert len(snapshot["seats"]) == 4
    own = await next_of_type(socket, "own")
    assert own["seats"] == []
    await socket.disconnect()


async def test_an_account_is_told_its_place_on_auth_and_again_at_the_draw(event, alice):
    entry = await call(place_join)(user_id=alice.pk, event_id=event.id)
    socket, _ = await waiting(event.id)
    await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(alice))})
    place = await next_of_type(socket, "place")
    assert (place["entry_id"], place["number"]) == (entry.entry_id, None)
    on_sale = timezone.now() + timedelta(seconds=3601)
    await call(room_tick)(event_id=event.id, now=on_sale, redis_down=False)
    state = await next_of_type(socket, "queue")
    assert state["drawn"] is True and state["serving"] == 1
    place = await next_of_type(socket, "place")
    assert (place["entry_id"], place["number"]) == (entry.entry_id, 1)
    await socket.disconnect()


async def test_sold_out_reaches_every_waiting_socket_in_one_frame(event, alice):
    sockets = [(await waiting(event.id))[0] for _ in range(20)]
    on_sale = timezone.now() + timedelta(seconds=3601)
    await call(lambda: Seat.objects.filter(event=event).update(status="reserved"))()
    await call(room_tick)(event_id=event.id, now=on_sale, redis_down=False)
    for socket in sockets:
        state = await next_of_type(socket, "queue")
        assert (state["state"], state["seats_left"]) == ("sold_out", 0)
    for socket in sockets:
        await socket.disconnect()


async def test_the_organisers_console_watches_the_seats_and_the_queue_without_a_turn(event, alice):
    from reservations.tests.console_staff import staff_in

    staff = await call(staff_in)("Box office")
    buyer, _ = await waiting(event.id)
    await buyer.send_json_to({"type": "auth", "token": str(AccessToken.for_user(alice))})
    console, _ = await waiting(event.id)
    await console.send_json_to({"type": "auth", "token": str(AccessToken.for_user(staff))})

    snapshot = await next_of_type(console, "snapshot")
    assert len(snapshot["seats"]) == 4
    seat = await call(lambda: Seat.objects.filter(event=event).first())()
    await call(booking_calls.lock)(
        user=alice, event_id=event.id, seat_id=seat.id, turn=_turn(alice, event)
    )
    change = await next_of_type(console, "seats")
    assert change["changes"][0]["id"] == seat.id
    await call(room_tick)(event_id=event.id, now=timezone.now(), redis_down=False)
    assert (await next_of_type(console, "queue"))["event_id"] == event.id
    # A buyer's auth ends no wait: its socket still answers a snapshot with the turn it lacks.
    await buyer.send_json_to({"type": "snapshot"})
    assert await next_of_type(buyer, "error") == {"type": "error", "code": "queue_turn_required"}
    await console.disconnect()
    await buyer.disconnect()


async def test_a_turn_token_of_another_admits_an_anonymous_socket_and_tells_it_nothing_of_theirs(
    event, alice
):
    """Issue 40: a turn token proves a turn, not who the socket is."""
    socket, _ = await waiting(event.id)
    await socket.send_json_to({"type": "turn", "token": _turn(alice, event)})
    await next_of_type(socket, "state")  # anonymous: the compact form, whatever it asked
    seat = await call(lambda: Seat.objects.filter(event=event).first())()
    await call(booking_calls.lock)(
        user=alice, event_id=event.id, seat_id=seat.id, turn=_turn(alice, event)
    )
    frames = []
    while not await socket.receive_nothing(timeout=0.5):
        frames.append(await socket.receive_json_from())
    assert [f["type"] for f in frames if f["type"] in ("seats", "own")] == ["seats"]
    await socket.disconnect()
