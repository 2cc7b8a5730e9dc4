"""The turn token (API.md "Waiting room"): lock, lock several and best available need it while
an event's waiting room is on, on Django's path and on the fast path alike; reserve does not."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from reservations.models import Seat, WaitingRoom
from reservations.waiting_room.organiser import turns_revoke
from reservations.waiting_room.rooms_in_memory import ROOMS_MAX_AGE, rooms
from reservations.waiting_room.turn_tokens import turn_token

from .conftest import bearer_client
from .factories import UserFactory
from .fast_calls import bearer, call, on_one_loop
from .queue_rooms import event_with_room

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(alice):
    rooms.forget()
    event = event_with_room(seats=6)
    return event, list(event.seats.order_by("id"))


def _token(user, event, *, generation=None, minutes=10):
    room = WaitingRoom.objects.get(event=event)
    return turn_token(
        user_id=user.pk,
        event_id=event.id,
        generation=room.generation if generation is None else generation,
        expires_at=timezone.now() + timedelta(minutes=minutes),
    )


def _django_lock(user, event, seat, token=None):
    headers = {"HTTP_QUEUE_TURN": token} if token else {}
    answer = bearer_client(user).post(
        f"/api/events/{event.id}/seats/{seat.id}/lock/", {}, format="json", **headers
    )
    return answer.status_code, answer.json().get("code")


def _fast_lock(fast, user, event, seat, token=None):
    headers = [(b"authorization", bearer(user))]
    if token:
        headers.append((b"queue-turn", token.encode()))
    path = f"/api/events/{event.id}/seats/{seat.id}/lock/"
    status, payload, _ = on_one_loop(fast, lambda: call(fast, path, headers=headers))
    return status, payload.get("code")


@pytest.fixture(params=["django", "fast"])
def lock(request, fast):
    if request.param == "django":
        return _django_lock
    return lambda *args, **kwargs: _fast_lock(fast, *args, **kwargs)


def test_a_hold_without_a_turn_is_refused_and_changes_nothing(lock, queued, alice):
    event, seats = queued
    assert lock(alice, event, seats[0]) == (403, "queue_turn_required")
    assert lock(alice, event, seats[0], "not.a.token") == (403, "queue_turn_required")
    assert Seat.objects.get(pk=seats[0].pk).status == "available"


def test_a_hold_with_the_buyers_running_turn_is_taken(lock, queued, alice):
    event, seats = queued
    assert lock(alice, event, seats[0], _token(alice, event)) == (200, None)


def test_an_expired_turn_is_refused_as_expired(lock, queued, alice):
    event, seats = queued
    assert lock(alice, event, seats[0], _token(alice, event, minutes=-1)) == (
        403,
        "queue_turn_expired",
    )


def test_another_accounts_turn_is_refused(lock, queued, alice):
    event, seats = queued
    bob = UserFactory(username="bob2")
    assert lock(alice, event, seats[0], _token(bob, event)) == (403, "queue_turn_required")


def test_a_turn_of_another_event_is_refused(lock, queued, alice):
    event, seats = queued
    other = event_with_room(seats=2)
    assert lock(alice, event, seats[0], _token(alice, other)) == (403, "queue_turn_required")


def test_a_generation_bump_revokes_every_turn_within_two_seconds(lock, queued, alice):
    event, seats = queued
    token = _token(alice, event)
    assert lock(alice, event, seats[0], token) == (200, None)
    turns_revoke(event_id=event.id)
    time.sleep(2 * ROOMS_MAX_AGE + 0.1)  # the other processes' copies: no forget() for them
    assert lock(alice, event, seats[1], token) == (403, "queue_turn_required")
    assert lock(alice, event, seats[1], _token(alice, event)) == (200, None)  # the new one


def test_a_room_made_again_on_an_event_revives_no_turn_token_of_the_one_before(lock, queued, alice):
    """Issue 40 row 6: a room re-created on an event started at generation 1 again, and the
    turn tokens of the deleted room worked in the new one."""
    event, seats = queued
    token = _token(alice, event)
    assert lock(alice, event, seats[0], token) == (200, None)
    before = WaitingRoom.objects.get(event=event)
    before.delete()
    WaitingRoom.objects.create(event=event, opens_at=before.opens_at, on_sale_at=before.on_sale_at)
    time.sleep(2 * ROOMS_MAX_AGE + 0.1)  # every process's copy of the rooms read again
    assert WaitingRoom.objects.get(event=event).generation != before.generation
    assert lock(alice, event, seats[1], token) == (403, "queue_turn_required")
    assert lock(alice, event, seats[1], _token(alice, event)) == (200, None)


def test_reserve_needs_no_turn_so_a_buyer_whose_turn_ended_still_books(queued, alice):
    event, seats = queued
    assert _django_lock(alice, event, seats[0], _token(alice, event)) == (200, None)
    answer = bearer_client(alice).post(
        f"/api/events/{event.id}/reserve/", {"seat_ids": [seats[0].id]}, format="json"
    )
    assert answer.status_code == 201


def test_lock_several_and_best_available_need_a_turn_too(queued, alice):
    event, seats = queued
    client = bearer_client(alice)
    several = client.post(
        f"/api/events/{event.id}/lock/", {"seat_ids": [seats[0].id]}, format="json"
    )
    best = client.post(f"/api/events/{event.id}/best/", {"count": 2}, format="json")
    assert [several.json()["code"], best.json()["code"]] == ["queue_turn_required"] * 2
    token = {"HTTP_QUEUE_TURN": _token(alice, event)}
    best = client.post(f"/api/events/{event.id}/best/", {"count": 2}, format="json", **token)
    assert best.status_code == 200
