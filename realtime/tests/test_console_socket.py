"""PROTOCOL.md "The organiser's console": a socket opened with `?console=1` whose `auth` is a
staff member's who may watch the sale is written each frame before the buyers' sockets; a
buyer's `?console=1` changes nothing. Real Redis and PostgreSQL, the real hub."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from realtime.hub import EventHub, hub
from realtime.routing import websocket_application
from reservations.tests import booking_calls
from reservations.tests.console_staff import staff_in
from reservations.tests.factories import UserFactory, event_with_seats

from .test_consumer import ORIGIN, next_of_type

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("relay")]

call = database_sync_to_async


async def opened(event_id: int, query: str = "") -> WebsocketCommunicator:
    socket = WebsocketCommunicator(
        websocket_application, f"/ws/events/{event_id}/{query}", headers=[ORIGIN]
    )
    accepted, _ = await socket.connect()
    assert accepted
    await next_of_type(socket, "snapshot")
    return socket


async def written_first(event_id: int, within: float = 3.0) -> int:
    """How many sockets of the event the hub writes first, once the consoles' checks are in."""
    for _ in range(int(within / 0.05)):
        if hub().first.get(event_id):
            break
        await asyncio.sleep(0.05)
    return len(hub().first.get(event_id, ()))


async def test_a_consoles_socket_is_written_before_the_buyers_and_gets_the_same_frames():
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    staff = await call(staff_in)("Box office")
    alice = await call(UserFactory)(username="alice")
    buyers = [await opened(event.id) for _ in range(3)]
    console = await opened(event.id, "?console=1")
    await console.send_json_to({"type": "auth", "token": str(AccessToken.for_user(staff))})
    await next_of_type(console, "own")
    assert await written_first(event.id) == 1
    order = list(hub()._in_fanout_order(event.id))
    assert len(order) == 4 and order[0] in hub().first[event.id]

    seat = await call(lambda: event.seats.order_by("id").first())()
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=seat.id)
    frames = [await next_of_type(socket, "seats") for socket in [console, *buyers]]
    assert all(frame == frames[0] for frame in frames)  # the same frame, nothing more

    await console.disconnect()
    assert not hub().first.get(event.id)  # a console that leaves is forgotten
    for socket in buyers:
        await socket.disconnect()


async def test_a_buyers_console_parameter_changes_nothing():
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    alice = await call(UserFactory)(username="alice")
    socket = await opened(event.id, "?console=1")
    await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(alice))})
    await next_of_type(socket, "own")
    assert await written_first(event.id, within=1.0) == 0
    await socket.disconnect()


def test_the_fanout_order_puts_the_first_sockets_first_and_each_socket_once():
    """The hub's order of a frame's writes, as pure logic on its own (no socket)."""
    events = EventHub()

    class Socket:
        event_id = 7

    sockets = [Socket() for _ in range(5)]
    events.watchers[7] = set(sockets)
    events.watch_first(sockets[3])
    events.watch_first(Socket())  # not a watcher of the event: ignored
    order = list(events._in_fanout_order(7))
    assert order[0] is sockets[3] and sorted(map(id, order)) == sorted(map(id, sockets))
    events.leave(sockets[3])
    assert 7 not in events.first and set(events._in_fanout_order(7)) == set(sockets) - {sockets[3]}
