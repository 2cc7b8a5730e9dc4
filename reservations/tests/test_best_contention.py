"""Best available under contention: the shelf's claims between requests, and batches across
processes (booking/best.py)."""

import threading

import psycopg
import pytest
from django.db import connection, transaction

from reservations.booking import best, rooms, sql
from reservations.booking.best import Ask, best_batch_steps
from reservations.booking.rooms import Shelf, room_steps
from reservations.booking.runner import run
from reservations.exceptions import HoldLimitReached, NotFound
from reservations.models import Seat
from reservations.seating import Request, Room, SeatInfo, candidates

from .factories import UserFactory, hall
from .races import until_a_backend_waits_on_a_lock

pytestmark = pytest.mark.django_db


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
    monkeypatch.setattr(rooms, "CLAIM_SECONDS", 0.0)
    shelf = Shelf(six_in_a_row())
    chosen = first_choice(shelf.view([]))
    assert shelf.claim(chosen)
    assert first_choice(shelf.view([])) == chosen  # from now on the taken read has them


def test_a_seat_let_go_and_claimed_again_keeps_its_new_claim_to_the_end(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(rooms.time, "monotonic", lambda: clock[0])
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
    monkeypatch.setattr(best, "READS", 1)
    monkeypatch.setattr(rooms, "CLAIM_SECONDS", 0.0)  # no claims between "processes"
    event = hall(rows={"A": "....", "B": "...."})
    run(room_steps(event_id=event.pk))
    first_picked, answers = threading.Event(), {}

    def first_process():
        with transaction.atomic():
            (answers["first"],) = run(
                best_batch_steps(event_id=event.pk, asks=[Ask(alice.pk, Request(count=4))])
            )
            first_picked.set()
            until_a_backend_waits_on_a_lock(seconds=2)
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
    monkeypatch.setattr(best, "TURN_PATIENCE_MS", 200)
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
    assert sorted(held.values_list("held_by_id", flat=True)) == sorted(
        [alice.pk] * 4 + [bob.pk] * 4 + [carol.pk] * 4
    )
    # Alternatives are free blocks: never one the batch has just held for someone else.
    assert all(
        not set(block) & set(held.values_list("id", flat=True))
        for answer in (first, second, third)
        for block in answer.alternatives
    )
