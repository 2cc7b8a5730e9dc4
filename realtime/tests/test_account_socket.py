"""PROTOCOL.md "Your bookings": the account socket (`ws/me/`) is told `{"type": "bookings"}`
whenever a committed change concerns one of its account's bookings (a booking, a cancel, a
staff reseat or refund), on real Redis and PostgreSQL, on both booking paths; nobody else's
socket, and no anonymous one, hears of it."""

import asyncio
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
import websockets
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from harness.servers import running_server, token
from realtime.routing import websocket_application
from reservations.api.tokens import refresh_token_issue
from reservations.services.booking_changes import reservation_refund, reservation_reseat
from reservations.tests import booking_calls
from reservations.tests.factories import UserFactory, event_with_seats

from .clients import next_of_type

pytestmark = pytest.mark.django_db(transaction=True)

call = database_sync_to_async
BOOKINGS = {"type": "bookings"}
NOT_AUTHENTICATED = {"type": "error", "code": "not_authenticated"}


def booked(user, event, *seats):
    booking_calls.lock_several(user=user, event_id=event.id, seat_ids=[s.id for s in seats])
    return booking_calls.reserve(user=user, event_id=event.id, seat_ids=[s.id for s in seats])


async def account_socket(user=None) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(websocket_application, "/ws/me/")
    accepted, _ = await socket.connect()
    assert accepted
    if user is not None:
        await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(user))})
        # Its groups are joined once a ping sent after the `auth` is answered.
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    return socket


async def told(socket) -> bool:
    """Whether a `bookings` frame comes within a second (and nothing else)."""
    if await socket.receive_nothing(timeout=1):
        return False
    assert await socket.receive_json_from() == BOOKINGS
    return True


@pytest.mark.usefixtures("relay")
async def test_a_staff_reseat_and_refund_tell_the_buyers_account_socket_and_nobody_elses():
    event = await call(event_with_seats)(rows=1, seats_per_row=6)
    bob, alice, staff = [await call(UserFactory)(username=n) for n in ("bob", "alice", "staff")]
    seats = await call(lambda: list(event.seats.order_by("id")))()
    booking = (await call(booked)(bob, event, seats[0], seats[1])).reservation
    bobs, alices, anonymous = await account_socket(bob), await account_socket(alice), None
    anonymous = await account_socket()  # never says whose it is

    await call(reservation_reseat)(
        staff_id=staff.id, reservation_id=booking.id, moves=[(seats[0].id, seats[3].id)]
    )
    assert await told(bobs)
    await call(reservation_refund)(
        staff_id=staff.id, reservation_id=booking.id, seat_ids=[seats[1].id], refunded=Decimal(0)
    )
    assert await told(bobs)
    await call(reservation_refund)(staff_id=staff.id, reservation_id=booking.id, reason="ill")
    assert await told(bobs)

    assert not await told(alices) and not await told(anonymous)
    for socket in (bobs, alices, anonymous):
        await socket.disconnect()


@pytest.mark.usefixtures("relay")
async def test_a_bad_token_is_answered_and_leaves_the_socket_nobodys():
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    bob = await call(UserFactory)(username="bob")
    seats = await call(lambda: list(event.seats.order_by("id")))()
    socket = await account_socket(bob)
    await socket.send_json_to({"type": "auth", "token": "not-a-token"})
    assert await socket.receive_json_from(timeout=5) == {
        "type": "error",
        "code": "not_authenticated",
    }
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await call(booked)(bob, event, seats[0])
    assert not await told(socket)
    await socket.disconnect()


@pytest.mark.slow
@pytest.mark.parametrize("path", ["fast", "django"])
def test_a_buyers_own_booking_and_cancel_tell_their_account_socket_on_either_path(stack_env, path):
    event = event_with_seats(rows=1, seats_per_row=3)
    UserFactory(username="bob")
    seat = event.seats.order_by("id").first()
    env = stack_env | ({"ANSWER_ON_LOOP": "0"} if path == "django" else {})
    with running_server(env) as base:
        asyncio.run(_book_and_cancel(base, event, seat, path))


async def _book_and_cancel(base, event, seat, path):
    bob = token(base, "bob")
    url = base.replace("http://", "ws://") + "/ws/me/"
    async with httpx.AsyncClient(base_url=base, headers=bob) as http, websockets.connect(url) as me:
        await me.send(f'{{"type": "auth", "token": "{bob["Authorization"][7:]}"}}')
        await me.send('{"type": "ping"}')
        await next_of_type(me, "pong")
        events = f"/api/events/{event.id}"
        assert (await http.post(f"{events}/lock/", json={"seat_ids": [seat.id]})).is_success
        reserved = await http.post(f"{events}/reserve/", json={"seat_ids": [seat.id]})
        assert reserved.status_code == 201
        assert reserved.headers.get("x-seatmap-path", "django") == path
        await next_of_type(me, "bookings")
        reservation = reserved.json()["reservation"]["id"]
        cancelled = await http.post(f"/api/reservations/{reservation}/cancel/")
        assert cancelled.status_code == 200
        await next_of_type(me, "bookings")


@pytest.mark.usefixtures("relay")
async def test_a_logout_ends_that_logins_account_socket_and_no_other():
    """As on an event's socket: a revoked login's socket is told `not_authenticated` and hears of
    the account's bookings no more; the same account's other login still does."""
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    bob = await call(UserFactory)(username="bob")
    seats = await call(lambda: list(event.seats.order_by("id")))()
    logins = [await call(refresh_token_issue)(bob) for _ in range(2)]
    signed_out, still_in = [await account_socket() for _ in logins]
    for socket, login in zip((signed_out, still_in), logins, strict=True):
        await socket.send_json_to({"type": "auth", "token": str(login.access_token)})
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=5) == {"type": "pong"}

    logout = {"refresh": str(logins[0])}
    answer = await call(lambda: APIClient().post("/api/logout/", logout, format="json"))()
    assert answer.status_code == 200
    ended = await signed_out.receive_json_from(timeout=3)
    assert ended == {"type": "error", "code": "not_authenticated"}

    await call(booked)(bob, event, seats[0])
    assert await told(still_in)
    assert not await told(signed_out)
    for socket in (signed_out, still_in):
        await socket.disconnect()


@pytest.mark.usefixtures("relay")
async def test_after_a_logout_a_fresh_login_stays_the_sockets_past_the_old_tokens_expiry():
    """The revoked login's token would have expired soon: its end must not end the next one."""
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    bob = await call(UserFactory)(username="bob")
    seats = await call(lambda: list(event.seats.order_by("id")))()
    first, second = [await call(refresh_token_issue)(bob) for _ in range(2)]
    short = first.access_token
    short.set_exp(lifetime=timedelta(seconds=2))
    socket = await account_socket()
    await socket.send_json_to({"type": "auth", "token": str(short)})
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    logout = {"refresh": str(first)}
    answer = await call(lambda: APIClient().post("/api/logout/", logout, format="json"))()
    assert answer.status_code == 200
    assert await socket.receive_json_from(timeout=3) == NOT_AUTHENTICATED

    await socket.send_json_to({"type": "auth", "token": str(second.access_token)})
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    assert await socket.receive_nothing(timeout=3), "the new login was ended by the old token"

    await call(booked)(bob, event, seats[0])
    assert await told(socket)
    await socket.disconnect()
