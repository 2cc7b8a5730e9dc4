"""A challenge names its door (reservations/challenges.py): work solved for the login door, the
registration's, or one event's queue opens no other, so a script cannot solve them at leisure
for one door and spend them at another."""

import pytest

from reservations.challenges import (
    LOGIN,
    REGISTRATION,
    challenge_new,
    challenge_passed,
    queue_door,
)
from reservations.models import QueueEntry, WaitingRoom

from .conftest import bearer_client
from .factories import VerifiedUserFactory
from .queue_rooms import event_with_room
from .test_auth_limits import _solved

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def light_work(settings):
    settings.CHALLENGE_WORK = 2000


def test_a_solution_passes_at_its_own_door_only():
    doors = [LOGIN, REGISTRATION, queue_door(1), queue_door(2)]
    for door in doors:
        solved = _solved(challenge_new(door))
        for other in doors:
            if other != door:
                assert not challenge_passed(solved, other), (door, other)
        assert challenge_passed(solved, door)


def test_a_queue_join_refuses_the_login_doors_work_and_another_events():
    event, other = event_with_room(on_sale_in=600), event_with_room(on_sale_in=600)
    WaitingRoom.objects.filter(event__in=[event, other]).update(challenge=True)
    buyer = VerifiedUserFactory(username="worker")
    client, url = bearer_client(buyer), f"/api/events/{event.id}/queue/join/"
    other_queues = client.post(f"/api/events/{other.id}/queue/join/", {}, format="json")
    for work in (challenge_new(LOGIN), other_queues.json()["challenge"]):
        refused = client.post(url, {"altcha": _solved(work)}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (403, "challenge_required")
    assert not QueueEntry.objects.filter(user=buyer).exists()
    asked = client.post(url, {}, format="json").json()["challenge"]
    assert client.post(url, {"altcha": _solved(asked)}, format="json").status_code == 200
