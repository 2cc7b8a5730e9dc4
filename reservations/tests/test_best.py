"""Best available through the API, the orphan rule on manual holds, the companion rule, and
best available under contention on a real server (docs/BEST_AVAILABLE.md)."""

import asyncio
import json
import threading
import time
from collections import Counter

import httpx
import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from loadtest.servers import full_stack_env, running_server
from reservations import services
from reservations.exceptions import HoldLimitReached, NotFound
from reservations.models import Seat
from reservations.seating import Request, Room, SeatInfo, candidates
from reservations.services import best as best_module
from reservations.services import sql
from reservations.services.best import Ask, Shelf, best_batch_steps, room_steps
from reservations.services.runner import run

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
        services.seat_lock(
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
        HOLD_FAST_PATH="1" if fast_path else "0",
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
    # other's do not know (services/best.py, claims), so only the row locks keep them apart.
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
    assert set(in_db.values_list("locked_by_id", flat=True)) <= {b.pk for b in buyers}
    together = sum(1 for a in answers if a.status_code == 200 and a.json()["together"])
    left = Seat.objects.filter(event=event, status="available").count()
    # 500 seats in rows of 25: at most 125 blocks of four. Buyers told no_block while seats
    # were left lost every candidate to others in three reads; the room still fills (the
    # figures are printed for the note and BENCHMARKS.md).
    assert codes[200] >= 110 and left == 500 - 4 * codes[200]
    print(f"\n200 buyers x 4 on 500 seats: {dict(codes)}, together {together}, seats left {left}")


# --- The room kept per process, and a candidate found gone -------------------------------------


def six_in_a_row() -> Room:
    return Room.from_seats(
        SeatInfo(id=n, section="S", row="A", number=n, x=float(n), y=0.0) for n in range(1, 7)
    )


def first_choice(room: Room, count: int = 2) -> tuple[int, ...]:
    return candidates(room, Request(count=count), orphan_mode="off")[0].seats


def test_seats_one_request_has_chosen_are_out_of_every_other_requests_view():
    shelf = Shelf(six_in_a_row())
    chosen = first_choice(shelf.view([]))
    assert shelf.claim(chosen)
    assert not shelf.claim(chosen[:1])  # nobody else may claim one of them meanwhile
    assert set(first_choice(shelf.view([]))).isdisjoint(chosen)
    shelf.release(chosen)  # found gone: the request let go of it
    assert first_choice(shelf.view([])) == chosen


def test_a_claim_runs_out_once_the_hold_has_had_time_to_commit(monkeypatch):
    monkeypatch.setattr(best_module, "CLAIM_SECONDS", 0.0)
    shelf = Shelf(six_in_a_row())
    chosen = first_choice(shelf.view([]))
    assert shelf.claim(chosen)
    assert first_choice(shelf.view([])) == chosen  # from now on the taken read has them


def test_a_seat_let_go_and_claimed_again_keeps_its_new_claim_to_the_end(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(best_module.time, "monotonic", lambda: clock[0])
    shelf = Shelf(six_in_a_row())
    chosen = first_choice(shelf.view([]))
    assert shelf.claim(chosen)  # until 102
    shelf.release(chosen)
    clock[0] = 101.0
    assert shelf.claim(chosen)  # until 103
    clock[0] = 102.5  # the first claim would have ended now
    assert set(first_choice(shelf.view([]))).isdisjoint(chosen)
    clock[0] = 103.5
    assert first_choice(shelf.view([])) == chosen


def test_the_view_follows_the_taken_seats_both_ways():
    shelf = Shelf(six_in_a_row())
    assert [seat.id for seat in shelf.view([3, 4]).seats if not seat.free] == [3, 4]
    assert [seat.id for seat in shelf.view([4, 5]).seats if not seat.free] == [4, 5]
    assert all(seat.free for seat in shelf.view([]).seats)


@pytest.mark.django_db(transaction=True)
def test_a_candidate_found_gone_is_skipped_not_waited_for_and_stays_free(alice):
    """Another buyer's transaction has A2 locked: the best block, row A, is gone, and best
    available moves on to row B at once instead of waiting for that transaction (SKIP LOCKED).
    A1 and A3, which it locked on the way, are left free and unlocked when it commits."""
    event = hall(rows={"A": "...", "B": "..."})
    a1, a2, a3, *row_b = event.seats.order_by("id")
    run(room_steps(event_id=event.pk))
    dsn = f"postgresql://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}"
    table = Seat._meta.db_table
    with psycopg.connect(dsn) as other, psycopg.connect(dsn) as observer:
        other.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [a2.pk])
        with transaction.atomic():
            connection.cursor().execute("SET LOCAL lock_timeout = '2s'")  # waiting: an error
            (outcome,) = run(
                best_batch_steps(event_id=event.pk, asks=[Ask(alice.pk, Request(count=3))])
            )
        other.rollback()
        lockable = observer.execute(
            f"SELECT id FROM {table} WHERE id IN (%s, %s) AND status = 'available' "
            "FOR UPDATE NOWAIT",
            [a1.pk, a3.pk],
        ).fetchall()

    assert [seat.id for seat in outcome.seats] == [seat.pk for seat in row_b]
    assert sorted(row for (row,) in lockable) == [a1.pk, a3.pk]


@pytest.mark.django_db(transaction=True)
def test_a_batch_picks_from_what_the_events_batch_in_another_process_committed(
    monkeypatch, alice, bob
):
    """Two processes' batches of one event do not race for the same blocks: the second waits
    for the first to commit, then picks around what it holds. With one read allowed, a race
    would leave the second buyer with `no_block` beside a free row."""
    monkeypatch.setattr(best_module, "READS", 1)
    monkeypatch.setattr(best_module, "CLAIM_SECONDS", 0.0)  # no claims between "processes"
    event = hall(rows={"A": "....", "B": "...."})
    run(room_steps(event_id=event.pk))
    first_picked, answers = threading.Event(), {}

    def first_process():
        with transaction.atomic():
            (answers["first"],) = run(
                best_batch_steps(event_id=event.pk, asks=[Ask(alice.pk, Request(count=4))])
            )
            first_picked.set()
            _until_a_backend_waits_on_a_lock(seconds=2)
        connection.close()

    def second_process():
        first_picked.wait(5)
        with transaction.atomic():
            (answers["second"],) = run(
                best_batch_steps(event_id=event.pk, asks=[Ask(bob.pk, Request(count=4))])
            )
        connection.close()

    threads = [threading.Thread(target=first_process), threading.Thread(target=second_process)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert {seat.row for seat in answers["first"].seats} == {"A"}
    assert {seat.row for seat in answers["second"].seats} == {"B"}


@pytest.mark.django_db(transaction=True)
def test_a_batch_stuck_in_another_process_holds_up_the_next_only_for_a_while(monkeypatch, alice):
    """A process frozen in the middle of its batch keeps its turn until its transaction ends:
    the next batch waits TURN_PATIENCE_MS for it, then goes on without (the row locks still
    decide each seat), so best available does not stop for the event."""
    monkeypatch.setattr(best_module, "TURN_PATIENCE_MS", 200)
    event = hall(rows={"A": "...."})
    run(room_steps(event_id=event.pk))
    dsn = f"postgresql://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}"
    answers = []

    def batch():
        with transaction.atomic():
            answers.extend(
                run(best_batch_steps(event_id=event.pk, asks=[Ask(alice.pk, Request(count=4))]))
            )
        connection.close()

    with psycopg.connect(dsn) as stuck:
        turn = sql.best_batch_turn(event_id=event.pk, patience_ms=1000)
        assert stuck.execute(turn.sql, turn.params).fetchone() == (True,)
        waiting = threading.Thread(target=batch)
        waiting.start()
        waiting.join(5)
        answered_while_stuck = not waiting.is_alive()
    waiting.join(5)
    assert answered_while_stuck
    assert [seat.row for seat in answers[0].seats] == ["A"] * 4


def _until_a_backend_waits_on_a_lock(*, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_one_batch_holds_a_block_for_each_ask_and_refuses_only_the_ones_it_must(
    settings, alice, bob
):
    """Asks answered together (best_batches.py) each get their own block or refusal: the
    picks of earlier asks are out of the later asks' room, and one ask's refusal holds
    nothing and does not touch the others."""
    settings.SEAT_HOLD_LIMIT = 4
    carol = UserFactory(username="carol")
    event = hall(rows={"A": "....", "B": "....", "C": "...."})
    run(room_steps(event_id=event.pk))
    asks = [
        Ask(alice.pk, Request(count=4)),
        Ask(bob.pk, Request(count=4)),
        Ask(alice.pk, Request(count=1)),  # past the limit with her first ask's four
        Ask(carol.pk, Request(count=4, category=987654)),  # no such category
        Ask(carol.pk, Request(count=4)),
    ]
    with transaction.atomic():
        first, second, over, unknown, third = run(best_batch_steps(event_id=event.pk, asks=asks))

    rows = [{seat.row for seat in answer.seats} for answer in (first, second, third)]
    assert rows == [{"A"}, {"B"}, {"C"}]
    assert isinstance(over, HoldLimitReached) and isinstance(unknown, NotFound)
    held = Seat.objects.filter(event=event, status="locked")
    assert sorted(held.values_list("locked_by_id", flat=True)) == sorted(
        [alice.pk] * 4 + [bob.pk] * 4 + [carol.pk] * 4
    )
    # Alternatives are free blocks: never one the batch has just held for someone else.
    assert all(
        not set(block) & set(held.values_list("id", flat=True))
        for answer in (first, second, third)
        for block in answer.alternatives
    )
