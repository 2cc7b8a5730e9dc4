"""Races, run for real: threads released together by a barrier, each with its own PostgreSQL
connection and transaction, through the whole HTTP stack, on both paths: Django's (the test
client, a thread per request) and the fast path (a real server process, a connection per
request, every answer checked to be the fast path's).

Negative control: with `FOR UPDATE` taken out of `sql.seats_for_update` (its `lock_rows`, in
booking/sql/), the fast path's fifty-clicks test (test_fast.py) sees several winners. With the
seat rows read without `FOR UPDATE` in `reserve_steps` alone, the held-up reserve fails on both
paths (Bob's lock and Alice's booking both win), and the reserve against its own expiry fails
when its timing happens to hit the window; the ten reserves and the same key twice still pass,
since one buyer's reserves already queue on the caller's row lock.
"""

import threading
import time
from collections import Counter
from datetime import timedelta
from functools import partial

import psycopg
import pytest
from django.db import connection, connections
from django.db.models import F
from django.utils import timezone

from harness.waiting import eventually
from reservations.ledger.inventory import inventory_disagreements
from reservations.models import IdempotencyKey, Reservation, ReservedSeat, Seat

from .factories import UserFactory, event_with_seats
from .races import code_of, conninfo, inventory_checked_after, run_together, users  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

# One server process (on each fast path) for the two tests that need settings of their own:
# the held-up reserve's lock timeout, long enough to wait out the hold-up (its one seat is far
# from the hold limit), and the hold limit's cap, whose racers never wait that long.
LONG_LOCKS_AND_A_HOLD_LIMIT = {"DB_LOCK_TIMEOUT": "30", "SEAT_HOLD_LIMIT": "3"}


def test_fifty_users_lock_the_same_seat_and_exactly_one_wins(path):
    event = event_with_seats(rows=1, seats_per_row=3)
    seat = event.seats.first()
    posts = [path.poster(u) for u in users(50)]
    url = f"/api/events/{event.id}/seats/{seat.id}/lock/"

    results = run_together([lambda p=p: p(url, {}) for p in posts])

    assert Counter(r.status_code for r in results) == {200: 1, 409: 49}
    assert Counter(code_of(r) for r in results) == {"ok": 1, "seat_unavailable": 49}
    seat.refresh_from_db()
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    assert seat.status == "locked" and seat.held_by.username == f"racer{winner}"
    assert seat.version == 1


def test_a_click_on_a_seat_someone_holds_is_refused_without_queueing_on_its_row_lock(path):
    """A hot seat's losers: answered from a plain read, not one by one behind its row lock
    (held here by another transaction for as long as the test wants)."""
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()
    alice, bob = users(2, prefix="hot")
    Seat.objects.filter(pk=seat.pk).update(
        status="locked",
        held_by=alice,
        held_until=timezone.now() + timedelta(minutes=5),
        version=1,
    )
    post = path.poster(bob)
    url = f"/api/events/{event.id}/seats/{seat.id}/lock/"

    answers = []

    def click():
        try:
            answers.append(post(url, {}))
        finally:
            connections.close_all()

    with psycopg.connect(conninfo()) as blocker:
        blocker.execute("SELECT 1 FROM reservations_seat WHERE id = %s FOR UPDATE", (seat.pk,))
        clicking = threading.Thread(target=click)
        clicking.start()
        clicking.join(timeout=5)
        assert not clicking.is_alive(), "the click waited for the seat's row lock"

    (refused,) = answers
    assert code_of(refused) == "seat_unavailable", refused.content
    assert refused.json()["seats"] == [seat.id]


def test_twenty_users_hold_overlapping_sets_all_or_none(path):
    event = event_with_seats(rows=2, seats_per_row=10)
    ids = list(event.seats.order_by("id").values_list("id", flat=True))
    racers = users(20)
    # Each wants four seats overlapping its neighbours', in a shuffled order of ids.
    wanted = {u.id: [ids[(i * 3 + k) % 20] for k in (3, 0, 2, 1)] for i, u in enumerate(racers)}
    url = f"/api/events/{event.id}/lock/"
    posts = {u.id: path.poster(u) for u in racers}
    calls = [lambda u=u: posts[u.id](url, {"seat_ids": wanted[u.id]}) for u in racers]

    results = run_together(calls)

    assert all(not isinstance(r, Exception) for r in results), results
    assert {code_of(r) for r in results} <= {"ok", "seat_unavailable"}
    winners = [u for u, r in zip(racers, results, strict=True) if r.status_code == 200]
    assert winners, "somebody must get their seats"
    held = dict(Seat.objects.filter(status="locked").values_list("id", "held_by_id"))
    for user, response in zip(racers, results, strict=True):
        mine = {seat_id for seat_id, holder in held.items() if holder == user.id}
        if response.status_code == 200:
            assert mine == set(wanted[user.id])
        else:
            assert mine == set(), f"{user.username} was refused but holds {mine}"
            assert response.json()["seats"], "a refusal names the seats in the way"
    claimed = [s for u in winners for s in wanted[u.id]]
    assert len(claimed) == len(set(claimed)), "no seat held by two"
    assert Seat.objects.filter(status="locked").count() == len(claimed)


def test_ten_reserves_of_the_same_seats_make_exactly_one_reservation(path):
    event = event_with_seats(rows=1, seats_per_row=5)
    (holder,) = users(1)
    post = path.poster(holder)
    ids = list(event.seats.values_list("id", flat=True)[:3])
    assert post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}).status_code == 200
    url = f"/api/events/{event.id}/reserve/"

    posts = [path.poster(holder) for _ in range(10)]
    results = run_together([lambda p=p: p(url, {"seat_ids": ids}) for p in posts])

    assert Counter(code_of(r) for r in results) == {"ok": 1, "lock_required": 9}
    assert Reservation.objects.count() == 1
    assert ReservedSeat.objects.filter(is_active=True).count() == 3


def test_reserve_racing_its_own_expiry_against_another_lock_never_lets_both_win(path):
    event = event_with_seats(rows=1, seats_per_row=10)
    (alice,) = users(1, prefix="expiry")
    both_won = []
    outcomes = Counter()
    for round_number, seat in enumerate(event.seats.order_by("id")):
        bob = UserFactory(username=f"bob-{round_number}")
        # Alice's lock ends 0.7 s from now; her reserve and Bob's lock fire around that
        # moment, from well before to well after, so every ordering gets its turn (the last
        # assertions say each did) and the rounds near the end race for real.
        ends = timezone.now() + timedelta(seconds=0.7)
        offset = (round_number % 10 - 6) * 0.1  # -0.6 s .. +0.3 s around the end
        Seat.objects.filter(pk=seat.pk).update(
            status="locked", held_by=alice, held_until=ends, version=1
        )
        reserve_url = f"/api/events/{event.id}/reserve/"
        lock_url = f"/api/events/{event.id}/seats/{seat.id}/lock/"
        alice_post, bob_post = path.poster(alice), path.poster(bob)
        time.sleep(max(0.0, (ends - timezone.now()).total_seconds() + offset))

        reserve, lock = run_together(
            [
                partial(alice_post, reserve_url, {"seat_ids": [seat.id]}),
                partial(bob_post, lock_url, {}),
            ]
        )

        outcomes[(code_of(reserve), code_of(lock))] += 1
        seat.refresh_from_db()
        booked = Reservation.objects.filter(reserved_seats__seat=seat, status="confirmed").exists()
        if reserve.status_code == 201 and lock.status_code == 200:
            both_won.append(seat.label)
        assert not (booked and seat.status == "locked"), "a booked seat is held by someone else"
        assert (seat.status == "reserved") == booked
        held_by_bob = seat.status == "locked" and seat.held_by_id == bob.id
        assert held_by_bob == (lock.status_code == 200)
    assert both_won == [], outcomes
    # Both may also lose: Bob came while Alice's lock still ran, Alice after it ended.
    assert set(outcomes) <= {
        ("ok", "seat_unavailable"),
        ("lock_required", "ok"),
        ("lock_required", "seat_unavailable"),
    }, outcomes
    assert {("ok", "seat_unavailable"), ("lock_required", "ok")} <= set(outcomes), outcomes


def test_a_reserve_held_up_after_its_check_still_never_lets_a_lock_win_meanwhile(path, settings):
    """The widest form of the race above, made certain: Alice's reserve checks her hold (still
    running), then is held up before it writes, here by a sale of the same seat that another
    transaction has begun (the `seat_sold_once` index makes her wait), until her hold has ended
    and Bob has clicked. Under the seat row lock Bob waits for her and is refused; without it
    he would take the seat and she would book it over his hold. (Held up as long as the
    test needs, with a lock timeout of 30 s: past the default 3 s on a slow machine.)"""
    settings.DB_LOCK_TIMEOUT = 30
    path = path.with_settings(**LONG_LOCKS_AND_A_HOLD_LIMIT)
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()
    alice, bob, carol = users(3, prefix="held-up")
    ends = timezone.now() + timedelta(seconds=1)
    Seat.objects.filter(pk=seat.pk).update(
        status="locked", held_by=alice, held_until=ends, version=1
    )
    elsewhere = Reservation.objects.create(
        user=carol, event=event, total_price=0, status="cancelled"
    )
    alice_post, bob_post = path.poster(alice), path.poster(bob)
    reserve_url = f"/api/events/{event.id}/reserve/"
    lock_url = f"/api/events/{event.id}/seats/{seat.id}/lock/"
    results = {}

    def send(name, post, *args):
        try:
            results[name] = post(*args)
        except Exception as exc:
            results[name] = exc
        finally:
            connections.close_all()

    with psycopg.connect(conninfo()) as blocker:
        blocker.execute(
            "INSERT INTO reservations_reservedseat (reservation_id, seat_id, price, is_active) "
            "VALUES (%s, %s, 0, true)",
            (elsewhere.pk, seat.pk),
        )
        reserve = threading.Thread(
            target=send, args=("reserve", alice_post, reserve_url, {"seat_ids": [seat.id]})
        )
        reserve.start()
        time.sleep(max(0.0, (ends - timezone.now()).total_seconds()) + 0.2)
        lock = threading.Thread(target=send, args=("lock", bob_post, lock_url, {}))
        lock.start()
        # Until Bob has his answer or waits on a lock too, beside the held-up reserve.
        eventually(lambda: not lock.is_alive() or _waiting_on_locks() >= 2, within=10)
        assert reserve.is_alive(), f"the reserve was not held up: {results}"
        blocker.rollback()
    reserve.join(timeout=30)
    lock.join(timeout=30)

    reserved, locked = results["reserve"], results["lock"]
    assert (code_of(reserved), code_of(locked)) == ("ok", "seat_unavailable")
    seat.refresh_from_db()
    assert (seat.status, seat.reserved_by_id, seat.held_by_id) == ("reserved", alice.id, None)


def _waiting_on_locks() -> int:
    """How many connections to the test database wait on a lock another one holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_the_same_idempotency_key_sent_twice_at_once_makes_one_reservation(path):
    event = event_with_seats(rows=1, seats_per_row=10)
    (holder,) = users(1, prefix="idem")
    post = path.poster(holder)
    url = f"/api/events/{event.id}/reserve/"
    for round_number, seat in enumerate(event.seats.order_by("id")[:5]):
        assert post(f"/api/events/{event.id}/seats/{seat.id}/lock/", {}).status_code == 200
        key = f"key-{round_number}"
        posts = [path.poster(holder) for _ in range(2)]

        first, second = run_together(
            [partial(p, url, {"seat_ids": [seat.id]}, key=key) for p in posts]
        )

        assert first.status_code == second.status_code == 201, (first.content, second.content)
        assert first.json() == second.json()
        replayed = [r.headers.get("Idempotent-Replayed") for r in (first, second)]
        assert sorted(replayed, key=str) == [None, "true"]
    assert Reservation.objects.count() == 5
    assert IdempotencyKey.objects.filter(user=holder).count() == 5


def test_the_database_refuses_a_second_sale_even_without_the_services():
    """The last line of defence under the row locks: a partial unique index."""
    from django.db import IntegrityError, transaction

    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()
    first, second = users(2, prefix="dbl")
    r1 = Reservation.objects.create(user=first, event=event, total_price=seat.price)
    ReservedSeat.objects.create(reservation=r1, seat=seat, price=seat.price)
    r2 = Reservation.objects.create(user=second, event=event, total_price=seat.price)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReservedSeat.objects.create(reservation=r2, seat=seat, price=seat.price)
    assert connection.vendor == "postgresql"
    # A booking planted without the services is what the inventory check is there to find.
    assert inventory_disagreements(event_id=event.id) == [
        f"seat {seat.label} (id {seat.id}) is in confirmed reservation {r1.pk} but available.",
        f"reservation {r2.pk} is confirmed at {seat.price}, but holds 0 seats sold at 0.00.",
    ]
    r1.delete()
    r2.delete()


def test_two_sweepers_at_once_free_each_ended_lock_exactly_once(monkeypatch):
    from reservations import services

    published = []
    monkeypatch.setattr(
        "realtime.broadcast.seats_publish",
        lambda event_id, changes, holders=(): published.extend(changes),
    )
    event = event_with_seats(rows=4, seats_per_row=25)
    (holder,) = users(1, prefix="sweep")
    Seat.objects.filter(event=event).update(
        status="locked",
        held_by=holder,
        held_until=timezone.now() - timedelta(seconds=1),
        version=F("version") + 1,
    )

    first, second = run_together([lambda: services.locks_expire(batch_size=10)] * 2)

    assert len(first) + len(second) == 100
    assert not {s.id for s in first} & {s.id for s in second}
    assert sorted(c["id"] for c in published) == sorted(event.seats.values_list("id", flat=True))
    assert set(Seat.objects.filter(event=event).values_list("status", "version")) == {
        ("available", 2)
    }


def test_one_user_locking_many_seats_at_once_never_passes_the_hold_limit(path, settings):
    """The user-row lock of the services: without it the count and the writes race."""
    settings.SEAT_HOLD_LIMIT = 3
    path = path.with_settings(**LONG_LOCKS_AND_A_HOLD_LIMIT)
    event = event_with_seats(rows=1, seats_per_row=16)
    (holder,) = users(1, prefix="greedy")
    urls = [f"/api/events/{event.id}/seats/{seat.id}/lock/" for seat in event.seats.all()]
    for _ in range(5):
        Seat.objects.filter(event=event).update(  # a change like any other: the next version
            status="available", held_by=None, held_until=None, version=F("version") + 1
        )

        posts = [path.poster(holder) for _ in urls]
        results = run_together([partial(p, u, {}) for p, u in zip(posts, urls, strict=True)])

        assert Counter(code_of(r) for r in results) == {"ok": 3, "hold_limit": 13}
        assert Seat.objects.filter(status="locked", held_by=holder).count() == 3


def test_a_crowd_waiting_on_a_row_lock_is_answered_503_within_the_lock_timeout(path, settings):
    """Every locking transaction waits DB_LOCK_TIMEOUT at most (booking/locking.py): the fast
    path's connections open with it straight to PostgreSQL (the server read it at start), and
    behind PgBouncer each transaction sets its own: a row held elsewhere for long (here by
    another connection, as another server process would) costs the crowd behind it at most the
    timeout, answered as a busy database is, and nothing written. Without the connections'
    option, the fast path's crowd waited out the client's 60 s read timeout."""
    settings.DB_LOCK_TIMEOUT = 0.5
    path = path.with_settings(DB_LOCK_TIMEOUT="0.5")
    event = event_with_seats(rows=1, seats_per_row=4)
    free, held = event.seats.order_by("id").values_list("id", flat=True)[:2]
    url = f"/api/events/{event.id}/lock/"
    posts = [path.poster(u) for u in users(6, prefix="crowd")]

    with psycopg.connect(conninfo()) as blocker:
        blocker.execute("SELECT 1 FROM reservations_seat WHERE id = %s FOR UPDATE", (held,))
        started = time.monotonic()
        results = run_together([partial(p, url, {"seat_ids": [free, held]}) for p in posts])
        waited = time.monotonic() - started
        blocker.rollback()  # held for as long as the crowd took: without the bound, for ever

    assert [code_of(r) for r in results] == ["unavailable"] * len(posts)
    assert {r.headers["Retry-After"] for r in results} == {"1"}
    assert waited < 0.5 + 3.0
    assert not Seat.objects.filter(pk__in=[free, held]).exclude(status="available").exists()
