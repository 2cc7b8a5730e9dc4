"""PROTOCOL.md "The organiser's console": a socket opened with `?console=1` whose `auth` is a
staff member's who may watch the sale gets each transaction's frame at once, besides the merged
frames every watcher gets; a buyer's `?console=1` changes nothing. Real Redis and PostgreSQL, the
real hub."""

import asyncio

import psycopg
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from harness.waiting import until
from realtime.hub import hub
from realtime.routing import websocket_application
from reservations.tests import booking_calls
from reservations.tests.console_staff import staff_in
from reservations.tests.factories import UserFactory, event_with_seats
from reservations.waiting_room.organiser import room_create
from reservations.waiting_room.rooms_in_memory import rooms

from .test_consumer import ORIGIN, next_of_type, no_seats_message, watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("relay")]

call = database_sync_to_async


async def opened(event_id: int, query: str = "") -> WebsocketCommunicator:
    socket = WebsocketCommunicator(
        websocket_application, f"/ws/events/{event_id}/{query}", headers=[ORIGIN]
    )
    accepted, _ = await socket.connect()
    assert accepted
    await next_of_type(socket, "state")
    return socket


async def consoles_of(event_id: int, within: float = 3.0) -> int:
    """How many consoles of the event the hub knows, once the consoles' checks are in."""
    return len(await until(lambda: hub().consoles.sockets.get(event_id, ()), within))


async def test_a_console_gets_each_transaction_at_once_and_the_merged_frames_after(settings):
    # A merging window of a whole second for the buyers (as thousands of watchers would have).
    settings.WS_COALESCE_SECONDS = 1.0
    settings.WS_FANOUT_DELIVERIES_PER_SECOND = 1
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    staff = await call(staff_in)("Box office")
    alice = await call(UserFactory)(username="alice")
    buyer = await opened(event.id)
    console = await opened(event.id, "?console=1")
    await console.send_json_to({"type": "auth", "token": str(AccessToken.for_user(staff))})
    await next_of_type(console, "own")
    assert await consoles_of(event.id) == 1
    seats = await call(lambda: list(event.seats.order_by("id")))()

    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=seats[0].id)
    first = await next_of_type(buyer, "seats")  # after a quiet moment: at once, for everyone
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=seats[1].id)
    at_once = [await next_of_type(console, "seats") for _ in range(2)]
    assert at_once[0] == first  # the first transaction: the buyers' frame and the console's
    # The buyers' copy of the first frame may come in between: the console's copy of the second.
    second = at_once[1]
    if second["seq"] == first["seq"]:
        second = await next_of_type(console, "seats")
    assert (second["first_seq"], second["seq"]) == (first["seq"] + 1, first["seq"] + 1)
    assert [c["id"] for c in second["changes"]] == [seats[1].id]
    assert await no_seats_message(buyer, within=0.3) is None  # the buyers wait for the window

    merged = await next_of_type(buyer, "seats")
    assert merged["seq"] == second["seq"]
    duplicate = await next_of_type(console, "seats")  # the console gets it too: a duplicate
    assert duplicate["seq"] == second["seq"]

    await console.disconnect()
    assert not hub().consoles.sockets.get(event.id) and not hub().consoles._feeds
    await buyer.disconnect()


async def test_a_buyers_console_parameter_changes_nothing():
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    alice = await call(UserFactory)(username="alice")
    socket = await opened(event.id, "?console=1")
    await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(alice))})
    await next_of_type(socket, "own")
    assert await consoles_of(event.id, within=1.0) == 0
    await socket.disconnect()


@pytest.mark.parametrize("query", ["?console=1", "?door=1"])
async def test_a_console_whose_account_was_dropped_while_its_role_was_read_stays_none(query):
    """`auth` of staff, then at once `auth` with no token (a logout): the role's answer, read
    after it, must not make the anonymous socket a console or a scanner."""
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    staff = await call(staff_in)("Manager")
    socket = await opened(event.id, query)
    await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(staff))})
    await socket.send_json_to({"type": "auth", "token": None})
    await socket.send_json_to({"type": "ping"})
    await next_of_type(socket, "pong")
    await socket.receive_nothing(timeout=1.0)  # the role's read is in

    assert not hub().consoles.sockets.get(event.id), "an anonymous socket is a console"
    assert not hub().doors.sockets.get(event.id), "an anonymous socket follows the door"
    await socket.disconnect()


async def a_waiting_console():
    """An event with a waiting room open and on sale, a Manager, and a console's socket of it
    that was told to wait (its `queue` frame)."""
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    now = timezone.now()
    await call(room_create)(event=event, opens_at=now, on_sale_at=now)
    rooms.forget()
    staff = await call(staff_in)("Manager")
    socket = watch(event.id, query="?console=1")
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=5))["type"] == "queue"
    return event, staff, socket


async def test_a_waiting_console_whose_account_was_dropped_while_its_role_was_read_waits_on():
    """The same on an event with a waiting room: the dropped staff account admits nothing."""
    event, staff, socket = await a_waiting_console()
    await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(staff))})
    await socket.send_json_to({"type": "auth", "token": None})
    await socket.send_json_to({"type": "ping"})
    await next_of_type(socket, "pong")

    kinds = []
    while not await socket.receive_nothing(timeout=1.0):
        kinds.append((await socket.receive_json_from())["type"])
    assert not {"state", "own"} & set(kinds), kinds
    assert not hub().consoles.sockets.get(event.id), "an anonymous socket is a console"
    await socket.disconnect()


async def test_a_waiting_console_that_drops_its_account_while_admitted_is_told_nothing_of_it():
    """`auth` of staff ends the wait; `auth` with no token (a logout) while the snapshot that
    follows is read (the seat table locked, so it waits): the socket is nobody's, and the
    admission must not make it the staff account's again once the snapshot is sent."""
    event, staff, socket = await a_waiting_console()
    conninfo = f"dbname={connection.settings_dict['NAME']} user=postgres host=127.0.0.1"
    with await asyncio.to_thread(psycopg.connect, conninfo) as blocker:
        await asyncio.to_thread(
            blocker.execute, "LOCK TABLE reservations_seat IN ACCESS EXCLUSIVE MODE"
        )
        await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(staff))})
        assert await until(lambda: hub().watchers.get(event.id)), "never admitted"
        await socket.send_json_to({"type": "auth", "token": None})
        await socket.send_json_to({"type": "ping"})
        await next_of_type(socket, "pong")
        await asyncio.to_thread(blocker.rollback)

    kinds = []
    while not await socket.receive_nothing(timeout=1.0):
        kinds.append((await socket.receive_json_from())["type"])
    assert "state" in kinds, kinds
    assert not hub().consoles.sockets.get(event.id), "an anonymous socket is a console"
    assert "own" not in kinds, f"an anonymous socket is told the staff's own seats: {kinds}"
    assert not hub().own.get(event.id), "an anonymous socket is the staff account's"
    assert not hub().consoles.sockets.get(event.id), "an anonymous socket is a console"
    await socket.disconnect()
