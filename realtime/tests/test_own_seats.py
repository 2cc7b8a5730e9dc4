"""PROTOCOL.md "Your own seats": a socket that says whose it is (an `auth` frame with an access
token) is told that account's holds and bookings at once and whenever a committed change
concerns them, on real Redis and PostgreSQL; every tab of one account agrees, and nobody
else's socket learns anything."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from realtime.own_seats import OwnSeats
from reservations.api.tokens import refresh_token_issue
from reservations.models import Seat
from reservations.tests import booking_calls
from reservations.tests.factories import UserFactory, event_with_seats

from .test_consumer import connected, next_of_type

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("relay")]

call = database_sync_to_async


@pytest.fixture
async def event():
    return await call(event_with_seats)(rows=1, seats_per_row=6)


@pytest.fixture
async def alice():
    return await call(UserFactory)(username="alice")


@pytest.fixture
async def bob():
    return await call(UserFactory)(username="bob")


async def seat_ids(event):
    seats = Seat.objects.filter(event=event).order_by("id")
    return await call(lambda: list(seats.values_list("id", flat=True)))()


async def as_account(event, user):
    socket, _ = await connected(event.id)
    await socket.send_json_to({"type": "auth", "token": str(AccessToken.for_user(user))})
    return socket, await next_of_type(socket, "own")


async def test_an_auth_frame_is_answered_with_the_accounts_own_seats(event, alice):
    first, second, *_ = await seat_ids(event)
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=first)
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=second)
    await call(booking_calls.reserve)(user=alice, event_id=event.id, seat_ids=[second])
    socket, own = await as_account(event, alice)
    assert [seat["id"] for seat in own["seats"]] == [first]
    assert own["seats"][0]["locked_until"]
    assert own["booked"] == [second]
    assert own["event_id"] == event.id and own["epoch"] and own["seq"] >= 3
    await socket.disconnect()


async def test_every_tab_of_an_account_hears_of_a_hold_made_elsewhere_and_of_its_end(event, alice):
    first, *_ = await seat_ids(event)
    tab_one, _ = await as_account(event, alice)
    tab_two, before = await as_account(event, alice)
    assert before["seats"] == [] and before["booked"] == []
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=first)
    for tab in (tab_one, tab_two):
        own = await next_of_type(tab, "own")
        assert [seat["id"] for seat in own["seats"]] == [first]
    # A release names nobody in the stream: the account that had the seat is still told.
    await call(booking_calls.unlock)(user=alice, event_id=event.id, seat_id=first)
    for tab in (tab_one, tab_two):
        own = await next_of_type(tab, "own")
        assert own["seats"] == []
    await tab_one.disconnect()
    await tab_two.disconnect()


async def test_nobody_elses_socket_is_told_whose_a_seat_is(event, alice, bob):
    first, *_ = await seat_ids(event)
    bobs, _ = await as_account(event, bob)
    anonymous, _ = await connected(event.id)
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=first)
    for socket in (bobs, anonymous):
        await next_of_type(socket, "seats")
        while not await socket.receive_nothing(timeout=0.5):
            assert (await socket.receive_json_from())["type"] != "own"
    await bobs.disconnect()
    await anonymous.disconnect()


async def test_a_bad_token_is_refused_and_the_socket_stays_anonymous(event, alice):
    first, *_ = await seat_ids(event)
    socket, _ = await connected(event.id)
    await socket.send_json_to({"type": "auth", "token": "not-a-token"})
    assert await next_of_type(socket, "error") == {"type": "error", "code": "not_authenticated"}
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=first)
    await next_of_type(socket, "seats")
    while not await socket.receive_nothing(timeout=0.5):
        assert (await socket.receive_json_from())["type"] != "own"
    await socket.disconnect()


async def test_an_account_with_two_tabs_is_one_person_watching(event, alice):
    tab_one, _ = await as_account(event, alice)
    tab_two, _ = await as_account(event, alice)
    presence = await next_of_type(tab_two, "presence", within=4)
    while presence["watchers"] != 1:
        presence = await next_of_type(tab_two, "presence", within=4)
    anonymous, _ = await connected(event.id)
    presence = await next_of_type(anonymous, "presence", within=4)
    while presence["watchers"] != 2:
        presence = await next_of_type(anonymous, "presence", within=4)
    for socket in (tab_one, tab_two, anonymous):
        await socket.disconnect()


async def test_a_tab_that_joins_without_changing_the_count_is_told_the_count(event, alice):
    tab_one, _ = await as_account(event, alice)
    presence = await next_of_type(tab_one, "presence", within=4)
    while presence["watchers"] != 1:
        presence = await next_of_type(tab_one, "presence", within=4)
    # A second tab of the same account: once it says whose it is the count is 1 again, and a
    # tick would send nothing new. It is told the count as it joins.
    tab_two, _ = await connected(event.id)
    await tab_two.send_json_to({"type": "auth", "token": str(AccessToken.for_user(alice))})
    assert (await next_of_type(tab_two, "presence", within=3))["watchers"] == 1
    for socket in (tab_one, tab_two):
        await socket.disconnect()


def test_a_seat_concerns_the_account_that_now_has_it_and_the_one_told_it_had_it():
    own = OwnSeats()
    own.add(1, "tab")
    own.add(2, "other tab")
    assert own.concerned([5], [1]) == {1}
    own.told(1, [5])
    assert own.concerned([5], [None]) == {1}  # released: the stream names nobody
    assert own.concerned([5], [2]) == {1, 2}  # taken over after it lapsed
    own.told(1, [])
    assert own.concerned([5], [None]) == set()
    assert own.concerned([6], [3]) == set()  # an account with no socket here


def test_an_account_that_leaves_is_forgotten():
    own = OwnSeats()
    own.add(1, "tab")
    own.told(1, [5])
    own.remove(1, "tab")
    assert own.sockets == {} and own.concerned([5], [None]) == set()


async def test_a_socket_is_nobodys_once_its_token_expires(event, alice):
    """Issue 40: the socket's identity lasts as long as the access token it was shown."""
    socket, _ = await connected(event.id)
    token = AccessToken.for_user(alice)
    # exp is in whole seconds: 3 s leaves at least 2 for the `auth` to be taken before it ends
    token.set_exp(lifetime=timedelta(seconds=3))
    await socket.send_json_to({"type": "auth", "token": str(token)})
    await next_of_type(socket, "own")
    expired = await next_of_type(socket, "error", within=6)
    assert expired == {"type": "error", "code": "not_authenticated"}
    (first, *_) = await seat_ids(event)
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=first)
    frames = []
    while not await socket.receive_nothing(timeout=0.5):
        frames.append(await socket.receive_json_from())
    assert [f["type"] for f in frames if f["type"] in ("seats", "own")] == ["seats"]
    await socket.disconnect()


async def test_a_logout_ends_the_identity_of_that_logins_sockets_and_no_other(event, alice):
    """Issue 40: a revoked login's token no longer names a socket, though it has not expired;
    the same account's other login keeps its own."""
    logins = [await call(refresh_token_issue)(alice) for _ in range(2)]
    sockets = []
    for login in logins:
        socket, _ = await connected(event.id)
        await socket.send_json_to({"type": "auth", "token": str(login.access_token)})
        await next_of_type(socket, "own")
        sockets.append(socket)
    signed_out, still_in = sockets

    logout = {"refresh": str(logins[0])}
    answer = await call(lambda: APIClient().post("/api/logout/", logout, format="json"))()
    assert answer.status_code == 200
    ended = await next_of_type(signed_out, "error", within=3)
    assert ended == {"type": "error", "code": "not_authenticated"}

    (first, *_) = await seat_ids(event)
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=first)
    mine = await next_of_type(still_in, "own")
    assert [seat["id"] for seat in mine["seats"]] == [first]
    frames = []
    while not await signed_out.receive_nothing(timeout=0.5):
        frames.append(await signed_out.receive_json_from())
    assert [f["type"] for f in frames if f["type"] in ("seats", "own")] == ["seats"]
    for socket in sockets:
        await socket.disconnect()
