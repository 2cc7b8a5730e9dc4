"""GET /api/events/{id}/holds/run/: where the caller's run of holds of an event stands (API.md
"Rules"), so the basket can say what a lock would be refused for before it is sent."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from reservations.models import Event, Seat

from .conftest import bearer_client
from .test_hold_extension import held_for, lock, unlock

pytestmark = pytest.mark.django_db

SHORT_RUNS = override_settings(
    SEAT_LOCK_SECONDS=30, SEAT_HOLD_MAX_SECONDS=60, SEAT_HOLD_COOLDOWN_SECONDS=120
)


def hold_run(client, event):
    return client.get(f"/api/events/{event.id}/holds/run/")


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def run_of(answer: dict) -> tuple:
    return answer["run_ends_at"], answer["hold_again_at"]


def seats_of(answer: dict) -> tuple:
    """(held, booked, purchase_limit, hold_limit, may_take, most_at_once), as the answer says."""
    names = ("held", "booked", "purchase_limit", "hold_limit", "may_take", "most_at_once")
    return tuple(answer[k] for k in names)


def reserve(client, event, seats):
    ids = [s.id for s in seats]
    return client.post(f"/api/events/{event.id}/reserve/", {"seat_ids": ids}, format="json")


def test_it_answers_what_the_buyer_holds_has_booked_and_may_still_take(
    alice_api, bob_api, event, seats, settings
):
    settings.SEAT_HOLD_LIMIT = 4
    Event.objects.filter(pk=event.pk).update(purchase_limit=5)
    assert seats_of(hold_run(alice_api, event).json()) == (0, 0, 5, 4, 4, 4)
    for seat in seats[:3]:
        assert lock(alice_api, event, seat).status_code == 200
    assert lock(bob_api, event, seats[5]).status_code == 200  # bob's: not alice's
    assert seats_of(hold_run(alice_api, event).json()) == (3, 0, 5, 4, 1, 4)  # the hold limit

    assert reserve(alice_api, event, seats[:2]).status_code == 201
    assert seats_of(hold_run(alice_api, event).json()) == (1, 2, 5, 4, 2, 3)  # the purchase limit
    assert lock(alice_api, event, seats[3]).status_code == 200
    assert lock(alice_api, event, seats[4]).status_code == 200

    told = seats_of(hold_run(alice_api, event).json())
    refused = lock(alice_api, event, seats[6])

    assert told == (3, 2, 5, 4, 0, 3)
    assert (refused.status_code, refused.json()["code"]) == (409, "purchase_limit")


def test_may_take_never_goes_below_nothing_and_a_lapsed_hold_is_not_held(
    alice_api, event, seats, settings
):
    settings.SEAT_HOLD_LIMIT = 10
    assert lock(alice_api, event, seats[0]).status_code == 200
    assert lock(alice_api, event, seats[1]).status_code == 200
    Event.objects.filter(pk=event.pk).update(purchase_limit=1)  # lowered past what they hold
    assert seats_of(hold_run(alice_api, event).json()) == (2, 0, 1, 10, 0, 1)

    Seat.objects.filter(pk=seats[0].id).update(held_until=timezone.now())  # lapsed, not swept

    assert seats_of(hold_run(alice_api, event).json()) == (1, 0, 1, 10, 0, 1)


@SHORT_RUNS
def test_a_capped_buyer_is_told_when_they_may_hold_again_as_a_lock_would_be(
    alice_api, event, seats
):
    assert lock(alice_api, event, seats[0]).status_code == 200
    held_for(seats[0].id, 60)  # at the cap
    assert unlock(alice_api, event, seats[0]).status_code == 200

    told = hold_run(alice_api, event)
    refused = lock(alice_api, event, seats[1])

    assert refused.status_code == 409 and refused.json()["code"] == "hold_cap_reached"
    assert told.status_code == 200
    assert run_of(told.json()) == (None, refused.json()["hold_again_at"])
    released_at = Seat.objects.get(pk=seats[0].id).released_at
    assert told.json()["hold_again_at"] == iso(released_at + timedelta(seconds=120))


@SHORT_RUNS
def test_a_buyer_with_no_run_of_the_event_is_told_nothing(alice_api, bob, event, seats):
    assert lock(alice_api, event, seats[0]).status_code == 200
    held_for(seats[0].id, 60)  # alice's run is at the cap; bob's is not alice's

    told = hold_run(bearer_client(bob), event)

    assert told.status_code == 200
    assert run_of(told.json()) == (None, None)
    assert lock(bearer_client(bob), event, seats[1]).status_code == 200


@SHORT_RUNS
def test_a_run_going_on_says_when_it_reaches_the_cap_also_with_nothing_held(
    alice_api, event, seats
):
    assert lock(alice_api, event, seats[0]).status_code == 200
    # The run began 40 s ago (in whole seconds, as a hold's times are): its cap comes before a
    # fresh hold's end would.
    began = (timezone.now() - timedelta(seconds=40)).replace(microsecond=0)
    Seat.objects.filter(pk=seats[0].id).update(held_since=began)
    cap = began + timedelta(seconds=60)

    while_held = hold_run(alice_api, event).json()
    assert unlock(alice_api, event, seats[0]).status_code == 200
    let_go = hold_run(alice_api, event).json()

    assert run_of(while_held) == run_of(let_go) == (iso(cap), None)
    # What a lock now is given: the same end.
    assert lock(alice_api, event, seats[1]).status_code == 200
    assert Seat.objects.get(pk=seats[1].id).held_until == cap


def test_it_needs_a_login_and_a_real_event(api, alice_api, event):
    assert hold_run(api, event).status_code == 401
    missing = alice_api.get(f"/api/events/{event.id + 1000}/holds/run/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_it_is_answered_by_django_not_on_the_loop_beside_holds(fast, alice, event):
    """The loop answers `holds/` (live_reads.py), a path of its own; `holds/run/` is Django's."""
    from .fast_calls import bearer, call, on_one_loop

    path = f"/api/events/{event.id}/holds/run/"
    token = [(b"authorization", bearer(alice))]
    status, _, _ = on_one_loop(fast, lambda: call(fast, path, method="GET", headers=token))
    assert (status, fast.django_app.paths) == (299, [path])
