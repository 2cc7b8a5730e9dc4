"""PROTOCOL.md "The door": a check-in's gate totals and a refund's or a cancel's revoked tickets
reach the event's consoles and its door's scanners (`?door=1` of an account that may scan) as
`door` frames; a buyer's `?door=1` gets none. Real Redis and PostgreSQL, the real hub.

Negative control (run once, not committed): with `door_changed_on_commit` left out of `scanned`,
the first test waited in vain for its `door` frame."""

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from harness.waiting import until
from realtime.hub import hub
from reservations.services.booking_changes import reservation_refund
from reservations.signals import door_changed_committed
from reservations.tests import booking_calls
from reservations.tests.console_staff import staff_in
from reservations.tests.factories import UserFactory, event_with_seats
from reservations.tickets.door import codes_of
from reservations.waiting_room.organiser import room_create
from reservations.waiting_room.rooms_in_memory import rooms

from .test_console_socket import opened
from .test_consumer import next_of_type, watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("relay")]

call = database_sync_to_async


def booked(user, event, count: int):
    ids = list(event.seats.order_by("id").values_list("id", flat=True))[:count]
    booking_calls.lock_several(user=user, event_id=event.id, seat_ids=ids)
    order = booking_calls.reserve(user=user, event_id=event.id, seat_ids=ids).reservation
    return order, [code for _, code in codes_of(order)]


def scan_at(event, code: str, gate: str, nonce: str):
    gatekeeper = staff_in("Door", f"gate-{nonce}")
    booking_calls.scan(user=gatekeeper, event_id=event.id, code=code, gate=gate, nonce=nonce)
    return "ok"


async def authed(event_id: int, query: str, user) -> object:
    socket = await opened(event_id, query)
    await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(user))})
    await next_of_type(socket, "own")
    return socket


async def doors_of(event_id: int, count: int) -> int:
    """How many door followers of the event the hub knows, once `count` of them are in."""
    await until(lambda: len(hub().doors.sockets.get(event_id, ())) >= count, 3.0)
    return len(hub().doors.sockets.get(event_id, ()))


async def door_frames(socket, within: float = 0.3) -> list[dict]:
    """The `door` frames the socket gets within the time (others skipped)."""
    frames = []
    while not await socket.receive_nothing(timeout=within):
        frame = await socket.receive_json_from()
        if frame["type"] == "door":
            frames.append(frame)
    return frames


async def test_a_check_in_and_a_refund_reach_the_console_and_the_scanner_not_a_buyer():
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    alice = await call(UserFactory)(username="alice")
    manager, gatekeeper = await call(staff_in)("Manager"), await call(staff_in)("Door")
    order, codes = await call(booked)(alice, event, 2)
    console = await authed(event.id, "?console=1", manager)
    scanner = await authed(event.id, "?door=1", gatekeeper)
    buyer = await authed(event.id, "?door=1", alice)
    assert await doors_of(event.id, 2) == 2

    assert await call(scan_at)(event, codes[0], "North", "nonce-0001") == "ok"
    expected = {"type": "door", "gates": {"North": {"entered": 1, "left": 0}}, "revoked": []}
    assert await next_of_type(console, "door") == expected
    assert await next_of_type(scanner, "door") == expected
    assert await call(scan_at)(event, codes[1], "North", "nonce-0002") == "ok"
    for socket in (console, scanner):
        assert (await next_of_type(socket, "door"))["gates"] == {"North": {"entered": 2, "left": 0}}

    await call(reservation_refund)(staff_id=manager.pk, reservation_id=order.pk)
    tickets = await call(lambda: sorted(order.reserved_seats.values_list("id", flat=True)))()
    revoked = {"type": "door", "gates": {}, "revoked": tickets}
    assert await next_of_type(scanner, "door") == revoked
    assert await next_of_type(console, "door") == revoked
    assert await door_frames(buyer) == []
    assert buyer not in hub().doors.sockets.get(event.id, set())
    for socket in (console, scanner, buyer):
        await socket.disconnect()
    assert not hub().doors.sockets.get(event.id)


async def test_a_buyers_cancel_revokes_the_tickets_at_the_door():
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    alice = await call(UserFactory)(username="alice")
    gatekeeper = await call(staff_in)("Door")
    order, _ = await call(booked)(alice, event, 2)
    scanner = await authed(event.id, "?door=1", gatekeeper)
    assert await doors_of(event.id, 1) == 1

    await call(booking_calls.cancel)(user=alice, reservation_id=order.pk)
    tickets = await call(lambda: sorted(order.reserved_seats.values_list("id", flat=True)))()
    assert await next_of_type(scanner, "door") == {"type": "door", "gates": {}, "revoked": tickets}
    await scanner.disconnect()


async def test_a_scanner_follows_the_door_of_an_event_sold_through_a_waiting_room():
    """The room stays in front of the sale after it (its row is there): a scanner's socket
    (the Door's, or a Manager's at the door) is no buyer waiting for a turn."""
    event = await call(event_with_seats)(rows=1, seats_per_row=4)
    alice = await call(UserFactory)(username="alice")
    order, _ = await call(booked)(alice, event, 1)  # sold, then the room is put in front
    now = timezone.now()
    await call(room_create)(event=event, opens_at=now, on_sale_at=now)
    rooms.forget()
    scanners = []
    for role in ("Door", "Manager"):
        socket = watch(event.id, query="?door=1")
        assert (await socket.connect())[0]
        assert (await socket.receive_json_from(timeout=5))["type"] == "queue"
        user = await call(staff_in)(role)
        await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(user))})
        scanners.append(socket)
    assert await doors_of(event.id, 2) == 2

    await call(booking_calls.cancel)(user=alice, reservation_id=order.pk)
    tickets = await call(lambda: sorted(order.reserved_seats.values_list("id", flat=True)))()
    for socket in scanners:
        assert await next_of_type(socket, "door") == {
            "type": "door",
            "gates": {},
            "revoked": tickets,
        }
        await socket.disconnect()


async def test_check_ins_close_together_reach_the_console_as_one_frame_of_the_latest_totals():
    """At a venue's opening a process answers hundreds of scans a second: their counts go out
    gathered (broadcast.DOOR_GATHER_SECONDS), each gate's largest, not a frame a check-in."""
    event = await call(event_with_seats)(rows=1, seats_per_row=1)
    console = await authed(event.id, "?console=1", await call(staff_in)("Manager"))
    assert await doors_of(event.id, 1) == 1
    for gate, entered in (("North", 1), ("South", 1), ("North", 3), ("North", 2)):
        door_changed_committed(event_id=event.id, gates={gate: {"entered": entered, "left": 0}})
    gates = {"North": {"entered": 3, "left": 0}, "South": {"entered": 1, "left": 0}}
    assert await door_frames(console) == [{"type": "door", "gates": gates, "revoked": []}]
    await console.disconnect()
