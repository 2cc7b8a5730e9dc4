"""Best available through the API, the orphan rule on manual holds, the companion rule, and
best available under contention on a real server (docs/BEST_AVAILABLE.md)."""

import asyncio
import json
from collections import Counter

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harness.servers import full_stack_env, running_server
from reservations.models import Seat

from . import booking_calls
from .factories import PASSWORD, UserFactory, event_with_seats, hall

pytestmark = pytest.mark.django_db


def labels(body) -> list[str]:
    return [seat["label"] for seat in body["seats"]]


def best(client, event, **wish):
    return client.post(f"/api/events/{event.pk}/best/", wish, format="json")


def test_best_holds_the_centre_of_the_front_row_for_the_caller(alice_api):
    event = hall(rows={"A": "........", "B": ".........."})
    answer = best(alice_api, event, count=2)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert labels(body) == ["A4", "A5"]
    assert body["success"] is True and body["together"] is True
    assert all(s["status"] == "locked" and s["mine"] for s in body["seats"])
    assert 1 <= len(body["alternatives"]) <= 3
    taken = {s["id"] for s in body["seats"]}
    assert all(taken.isdisjoint(block) and len(block) == 2 for block in body["alternatives"])
    held = Seat.objects.filter(event=event, status="locked")
    assert sorted(held.values_list("label", flat=True)) == ["A4", "A5"]


def test_the_seats_best_holds_are_the_ones_reserve_books(alice_api):
    event = hall(rows={"A": "......"})
    held = [s["id"] for s in best(alice_api, event, count=3).json()["seats"]]
    booked = alice_api.post(f"/api/events/{event.pk}/reserve/", {"seat_ids": held}, format="json")
    assert booked.status_code == 201
    assert sorted(s["id"] for s in booked.json()["reservation"]["seats"]) == sorted(held)


def test_when_no_block_fits_the_buyer_is_told_and_nothing_is_held(alice_api, bob_api):
    event = hall(rows={"A": "...", "B": "..."})
    assert best(bob_api, event, count=3).status_code == 200  # row A
    answer = best(alice_api, event, count=4)
    assert (answer.status_code, answer.json()["code"]) == (409, "no_block")
    assert answer.json()["error"] == "No 4 seats together are left. Try fewer seats."
    assert Seat.objects.filter(event=event, status="locked").count() == 3


def test_no_block_suggests_only_the_changes_that_could_find_something(alice_api, bob_api):
    event = hall(rows={"A": "."})
    assert best(bob_api, event, count=1).status_code == 200
    answer = best(alice_api, event, count=1, section="Stalls")
    assert answer.json()["error"] == "No seat is left in Stalls. Try another section."


def test_a_split_over_two_rows_is_said_to_be_one(alice_api):
    event = hall(rows={"A": "..", "B": ".."})
    body = best(alice_api, event, count=4).json()
    assert body["together"] is False and len(body["seats"]) == 4


def test_best_counts_against_the_hold_limit(settings, alice, alice_api):
    settings.SEAT_HOLD_LIMIT = 3
    event = hall(rows={"A": "..........", "B": ".........."})
    assert best(alice_api, event, count=2).status_code == 200
    answer = best(alice_api, event, count=2)
    assert (answer.status_code, answer.json()["code"]) == (409, "hold_limit")
    assert Seat.objects.filter(event=event, status="locked").count() == 2


@pytest.mark.parametrize(
    "wish, field",
    [
        ({"count": 0}, "count"),
        ({"count": 2, "accessible": 3}, "accessible"),
        ({"count": "two"}, "count"),
        ({}, "count"),
    ],
)
def test_a_bad_wish_is_a_clean_400_and_holds_nothing(alice_api, wish, field):
    event = hall(rows={"A": "...."})
    answer = best(alice_api, event, **wish)
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid")
    assert field in json.dumps(answer.json())
    assert not Seat.objects.filter(event=event, status="locked").exists()


def test_an_unknown_category_or_event_is_404(alice_api):
    event = hall(rows={"A": "...."})
    answer = best(alice_api, event, count=1, category=987654)
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert (
        alice_api.post("/api/events/987654/best/", {"count": 1}, format="json").status_code == 404
    )


def test_best_needs_a_login(api):
    event = hall(rows={"A": "...."})
    assert best(api, event, count=1).status_code == 401


# --- Accessible seats and companions -----------------------------------------------------------


def test_a_wheelchair_space_with_companions_comes_in_one_request(alice_api):
    event = hall(rows={"A": "..CWC...", "B": "........"})
    body = best(alice_api, event, count=3, accessible=1).json()
    assert labels(body) == ["A3", "A4", "A5"]
    flags = [(s["accessible"], s["companion"]) for s in body["seats"]]
    assert sorted(flags) == [(False, True), (False, True), (True, False)]


def test_a_general_request_leaves_wheelchair_spaces_alone_while_others_remain(alice_api):
    event = hall(rows={"A": "CWC", "B": "........"})
    body = best(alice_api, event, count=2).json()
    assert all(s["label"].startswith("B") for s in body["seats"])


def test_a_companion_seat_is_not_booked_without_a_wheelchair_space(alice_api):
    event = hall(rows={"A": "..CWC..."})
    companion = Seat.objects.get(event=event, label="A3")
    wheelchair = Seat.objects.get(event=event, label="A4")
    alice_api.post(f"/api/events/{event.pk}/seats/{companion.pk}/lock/", {}, format="json")
    refused = alice_api.post(
        f"/api/events/{event.pk}/reserve/", {"seat_ids": [companion.pk]}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "companion_requires_accessible")
    assert refused.json()["seats"] == [companion.pk]
    assert Seat.objects.get(pk=companion.pk).status == "locked"  # still held, not booked

    alice_api.post(f"/api/events/{event.pk}/seats/{wheelchair.pk}/lock/", {}, format="json")
    booked = alice_api.post(
        f"/api/events/{event.pk}/reserve/",
        {"seat_ids": [companion.pk, wheelchair.pk]},
        format="json",
    )
    assert booked.status_code == 201


# --- The orphan rule on manual holds -----------------------------------------------------------


def lock(client, event, label):
    seat = Seat.objects.get(event=event, label=label)
    return client.post(f"/api/events/{event.pk}/seats/{seat.pk}/lock/", {}, format="json")


def test_strict_mode_refuses_a_hold_that_leaves_one_seat_alone_and_suggests_another(alice_api):
    event = hall(rows={"A": "......"}, orphan_mode="strict")
    answer = lock(alice_api, event, "A2")
    assert (answer.status_code, answer.json()["code"]) == (409, "orphan_seat")
    a1 = Seat.objects.get(event=event, label="A1").pk
    assert answer.json()["seat"] == a1 and "A1" in answer.json()["error"]
    assert answer.json()["suggestion"] == [a1]
    assert not Seat.objects.filter(event=event, status="locked").exists()
    assert lock(alice_api, event, "A1").status_code == 200


def lock_several(client, event, *labels_wanted):
    ids = list(
        Seat.objects.filter(event=event, label__in=labels_wanted).values_list("id", flat=True)
    )
    return client.post(f"/api/events/{event.pk}/lock/", {"seat_ids": ids}, format="json")


def test_lenient_mode_refuses_an_avoidable_orphan(alice_api):
    event = hall(rows={"A": "....."}, orphan_mode="lenient")
    answer = lock(alice_api, event, "A2")
    assert answer.json()["code"] == "orphan_seat"
    assert lock(alice_api, event, "A1").status_code == 200


@pytest.mark.parametrize("mode, allowed", [("lenient", True), ("strict", False)])
def test_an_orphan_nothing_can_avoid_is_allowed_only_when_lenient(alice_api, mode, allowed):
    event = hall(rows={"A": "..."}, orphan_mode=mode)  # any two of three leave one alone
    answer = lock_several(alice_api, event, "A1", "A2")
    assert answer.status_code == (200 if allowed else 409), answer.json()


def test_off_mode_lets_any_hold_through(alice_api):
    event = hall(rows={"A": "......"}, orphan_mode="off")
    assert lock(alice_api, event, "A2").status_code == 200


def test_the_orphan_rule_applies_to_holding_several_seats(alice_api):
    event = hall(rows={"A": "......"}, orphan_mode="strict")
    ids = list(
        Seat.objects.filter(event=event, label__in=["A2", "A3"]).values_list("id", flat=True)
    )
    answer = alice_api.post(f"/api/events/{event.pk}/lock/", {"seat_ids": ids}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (409, "orphan_seat")


def test_an_event_without_the_rule_keeps_its_one_statement_hold(alice, event, seats):
    with CaptureQueriesContext(connection) as seen:
        booking_calls.lock(
            user=alice, event_id=event.pk, seat_id=seats[1].pk
        )  # leaves A1 alone: fine with no rule
    statements = [q["sql"] for q in seen.captured_queries]
    assert any(s.startswith("UPDATE") and "RETURNING" in s for s in statements)
    assert not any(s.startswith("SELECT orphan_mode") for s in statements)  # no long way


# --- Under contention, on a real server ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fast_path", [True, False], ids=["fast path", "through Django"])
def test_two_hundred_buyers_asking_for_four_at_once_never_share_a_seat(settings, fast_path):
    event = event_with_seats(rows=20, seats_per_row=25)  # 500 seats
    buyers = [UserFactory(username=f"buyer{i}") for i in range(200)]
    name = connection.settings_dict["NAME"]
    env = full_stack_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        REDIS_URL=settings.REDIS_URL,
        BOOKING_USER_RATE="100000/min",
        BOOKING_ADDRESS_RATE="1000000/min",
        ANSWER_ON_LOOP="1" if fast_path else "0",
    )

    async def everyone(bases):
        async with httpx.AsyncClient(timeout=60) as client:
            tokens = await asyncio.gather(
                *(
                    client.post(
                        f"{bases[0]}/api/token/",
                        json={"username": b.username, "password": PASSWORD},
                    )
                    for b in buyers
                )
            )
            headers = [{"Authorization": f"Bearer {t.json()['access']}"} for t in tokens]
            return await asyncio.gather(
                *(
                    client.post(
                        f"{bases[n % 2]}/api/events/{event.pk}/best/", json={"count": 4}, headers=h
                    )
                    for n, h in enumerate(headers)
                )
            )

    # Two processes, as on a two-core machine: what one process's requests have chosen, the
    # other's do not know (booking/best.py, claims), so only the row locks keep them apart.
    with running_server(env) as first, running_server(env) as second:
        answers = asyncio.run(everyone([first, second]))

    paths = {a.headers.get("x-seatmap-path", "django") for a in answers}
    assert paths == ({"fast"} if fast_path else {"django"})
    codes = Counter(a.status_code if a.status_code == 200 else a.json()["code"] for a in answers)
    assert set(codes) <= {200, "no_block"}, codes  # never a 5xx, never anything else
    held = [s["id"] for a in answers if a.status_code == 200 for s in a.json()["seats"]]
    assert len(held) == len(set(held)) == 4 * codes[200]  # no seat held twice
    in_db = Seat.objects.filter(event=event, status="locked")
    assert in_db.count() == len(held)
    assert set(in_db.values_list("held_by_id", flat=True)) <= {b.pk for b in buyers}
    together = sum(1 for a in answers if a.status_code == 200 and a.json()["together"])
    left = Seat.objects.filter(event=event, status="available").count()
    # 500 seats in rows of 25: at most 125 blocks of four. Buyers told no_block while seats
    # were left lost every candidate to others in three reads; the room still fills (the
    # figures are printed for the note and BENCHMARKS.md).
    assert codes[200] >= 110 and left == 500 - 4 * codes[200]
    print(f"\n200 buyers x 4 on 500 seats: {dict(codes)}, together {together}, seats left {left}")
