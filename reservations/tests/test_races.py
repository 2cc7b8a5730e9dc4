"""Races, run for real: threads released together by a barrier, each with its own PostgreSQL
connection and transaction, through the whole HTTP stack.

The booking races run through both paths (`through`): Django's (the test client, a thread and
a connection each) and the fast path's (real HTTP to a uvicorn server in this process,
http_server.py, its requests concurrent on the fast path's pool). Every fast answer must say it
came from the fast path.

Negative control: with `FOR UPDATE` taken out of `sql.seats_for_update` (its `lock_rows`, in
services/sql.py), the fast path's fifty-clicks test (test_fast.py) sees several winners. With
the seat rows read without `FOR UPDATE` in `reserve_steps` alone, the held-up reserve test
below fails on both paths every time (Bob's lock of the seat whose hold just ended answers 200
at once, and Alice's booking then overwrites his hold: both win); the expiry race caught it
once in three runs (fast path), the others never: one user's reserves already queue on the
caller's row lock, so the ten reserves and the same key twice are safe without it.
"""

import threading
import time
from collections import Counter
from datetime import timedelta
from functools import partial

import httpx
import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from reservations.models import IdempotencyKey, Reservation, ReservedSeat, Seat

from .conftest import bearer_client
from .factories import UserFactory, event_with_seats
from .http_server import http_server

pytestmark = pytest.mark.django_db(transaction=True)


class DjangoPath:
    """Requests through Django's request cycle (the test client)."""

    def client(self, user):
        client = bearer_client(user)

        def post(url, body, key=None):
            extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
            return client.post(url, body, format="json", **extra)

        return post


class FastPath:
    """Requests over HTTP to a real server, answered by its fast path."""

    def __init__(self, base: str):
        self.base = base

    def client(self, user):
        headers = {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}
        # Made before the race (it costs an SSL context); safe to share between threads.
        http = httpx.Client(base_url=self.base, timeout=60)

        def post(url, body, key=None):
            extra = {"Idempotency-Key": key} if key else {}
            response = http.post(url, json=body, headers={**headers, **extra})
            assert response.headers.get("x-seatmap-path") == "fast", (url, response.text)
            return response

        return post


@pytest.fixture(scope="module")
def fast_server(django_db_setup, django_db_blocker):
    with http_server() as (base, _):
        yield base


@pytest.fixture(params=["django", "fast"])
def through(request):
    """Each booking race once through Django's path and once through the fast path."""
    if request.param == "django":
        return DjangoPath()
    return FastPath(request.getfixturevalue("fast_server"))


def run_together(calls):
    """Run each call in its own thread, all released at the same instant; return the results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # recorded, so the test can say which request broke
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def code_of(response):
    return "ok" if response.status_code < 300 else response.json()["code"]


def users(n, prefix="racer"):
    return [UserFactory(username=f"{prefix}{i}") for i in range(n)]


def test_fifty_users_lock_the_same_seat_and_exactly_one_wins(through):
    event = event_with_seats(rows=1, seats_per_row=3)
    seat = event.seats.first()
    clients = [through.client(u) for u in users(50)]
    url = f"/api/events/{event.id}/seats/{seat.id}/lock/"

    results = run_together([partial(post, url, {}) for post in clients])

    assert Counter(r.status_code for r in results) == {200: 1, 409: 49}
    assert Counter(code_of(r) for r in results) == {"ok": 1, "seat_unavailable": 49}
    seat.refresh_from_db()
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    assert seat.status == "locked" and seat.locked_by.username == f"racer{winner}"
    assert seat.version == 1


def test_twenty_users_hold_overlapping_sets_all_or_none(through):
    event = event_with_seats(rows=2, seats_per_row=10)
    ids = list(event.seats.order_by("id").values_list("id", flat=True))
    racers = users(20)
    # Each wants four seats overlapping its neighbours', in a shuffled order of ids.
    wanted = {u.id: [ids[(i * 3 + k) % 20] for k in (3, 0, 2, 1)] for i, u in enumerate(racers)}
    url = f"/api/events/{event.id}/lock/"
    calls = [partial(through.client(u), url, {"seat_ids": wanted[u.id]}) for u in racers]

    results = run_together(calls)

    assert all(not isinstance(r, Exception) for r in results), results
    assert {code_of(r) for r in results} <= {"ok", "seat_unavailable"}
    winners = [u for u, r in zip(racers, results, strict=True) if r.status_code == 200]
    assert winners, "somebody must get their seats"
    held = dict(Seat.objects.filter(status="locked").values_list("id", "locked_by_id"))
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


def test_ten_reserves_of_the_same_seats_make_exactly_one_reservation(through):
    event = event_with_seats(rows=1, seats_per_row=5)
    (holder,) = users(1)
    client = bearer_client(holder)
    ids = list(event.seats.values_list("id", flat=True)[:3])
    assert (
        client.post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}, format="json").status_code
        == 200
    )
    url = f"/api/events/{event.id}/reserve/"

    results = run_together([partial(through.client(holder), url, {"seat_ids": ids})] * 10)

    assert all(not isinstance(r, Exception) for r in results), results
    assert Counter(code_of(r) for r in results) == {"ok": 1, "lock_required": 9}
    assert Reservation.objects.count() == 1
    assert ReservedSeat.objects.filter(is_active=True).count() == 3


def test_reserve_racing_its_own_expiry_against_another_lock_never_lets_both_win(through):
    event = event_with_seats(rows=1, seats_per_row=20)
    (alice,) = users(1, prefix="expiry")
    both_won = []
    outcomes = Counter()
    for round_number, seat in enumerate(event.seats.order_by("id")):
        bob = UserFactory(username=f"bob-{round_number}")
        # Alice's lock ends a moment from now; her reserve and Bob's lock fire around that
        # moment, from a little before to a little after, so every ordering gets its turn.
        ends = timezone.now() + timedelta(milliseconds=150)
        offset = -(round_number % 10) * 0.008
        Seat.objects.filter(pk=seat.pk).update(
            status="locked", locked_by=alice, locked_until=ends, version=1
        )
        reserve_url = f"/api/events/{event.id}/reserve/"
        lock_url = f"/api/events/{event.id}/seats/{seat.id}/lock/"
        alice_post, bob_post = through.client(alice), through.client(bob)
        time.sleep(max(0.0, (ends - timezone.now()).total_seconds() + offset))

        reserve, lock = run_together(
            [
                partial(alice_post, reserve_url, {"seat_ids": [seat.id]}),
                partial(bob_post, lock_url, {}),
            ]
        )
        assert not isinstance(reserve, Exception) and not isinstance(lock, Exception)

        outcomes[(code_of(reserve), code_of(lock))] += 1
        seat.refresh_from_db()
        booked = Reservation.objects.filter(reserved_seats__seat=seat, status="confirmed").exists()
        if reserve.status_code == 201 and lock.status_code == 200:
            both_won.append(seat.label)
        assert not (booked and seat.status == "locked"), "a booked seat is held by someone else"
        assert (seat.status == "reserved") == booked
        held_by_bob = seat.status == "locked" and seat.locked_by_id == bob.id
        assert held_by_bob == (lock.status_code == 200)
    assert both_won == [], outcomes
    # Both may also lose: Bob came while Alice's lock still ran, Alice after it ended.
    assert set(outcomes) <= {
        ("ok", "seat_unavailable"),
        ("lock_required", "ok"),
        ("lock_required", "seat_unavailable"),
    }, outcomes


def _database_session():
    """A connection of its own to the test database, outside Django's."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )


def _waiting_on_a_lock(observer, statement_start: str) -> bool:
    ((count,),) = observer.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query LIKE %s",
        [f"{statement_start}%"],
    ).fetchall()
    return count > 0


def _until(condition, within: float, why: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, why
        time.sleep(0.01)


def test_a_reserve_that_passed_its_check_keeps_its_seats_until_it_commits(through):
    """The race of the expiry test above, made to happen every time: Alice's reserve checks
    her hold a moment before it ends, is then held up (a table lock on the reservations, taken
    here, stops her INSERT), and Bob clicks the seat once her hold has ended. Bob must wait for
    her commit and lose; without the seat row lock Bob wins at once and Alice's booking then
    overwrites his hold (both win)."""
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()
    alice, bob = users(2, prefix="held-up")
    alice_post, bob_post = through.client(alice), through.client(bob)
    ends = timezone.now() + timedelta(seconds=3)
    Seat.objects.filter(pk=seat.pk).update(
        status="locked", locked_by=alice, locked_until=ends, version=1
    )
    answers = {}

    def reserve():
        answers["reserve"] = alice_post(f"/api/events/{event.id}/reserve/", {"seat_ids": [seat.id]})

    def lock():
        answers["lock"] = bob_post(f"/api/events/{event.id}/seats/{seat.id}/lock/", {})

    with _database_session() as holder, _database_session() as observer:
        holder.execute("BEGIN")
        holder.execute(f"LOCK TABLE {Reservation._meta.db_table} IN SHARE MODE")
        alice_thread = threading.Thread(target=reserve)
        alice_thread.start()
        _until(
            lambda: _waiting_on_a_lock(observer, "INSERT INTO reservations_reservation"),
            within=2.5,
            why="Alice's reserve did not reach its INSERT before her hold ended",
        )
        assert timezone.now() < ends
        time.sleep(max(0.0, (ends - timezone.now()).total_seconds()) + 0.05)
        bob_thread = threading.Thread(target=lock)
        bob_thread.start()
        _until(
            lambda: "lock" in answers or _waiting_on_a_lock(observer, "UPDATE reservations_seat"),
            within=10,
            why="Bob's lock neither finished nor waited",
        )
        bob_answered_first = "lock" in answers
        holder.execute("COMMIT")
        alice_thread.join(timeout=30)
        bob_thread.join(timeout=30)

    assert not bob_answered_first, f"Bob was not held up: {answers['lock'].json()}"
    assert code_of(answers["reserve"]) == "ok"
    assert code_of(answers["lock"]) == "seat_unavailable"
    seat.refresh_from_db()
    assert (seat.status, seat.reserved_by_id, seat.locked_by_id) == ("reserved", alice.id, None)


def test_the_same_idempotency_key_sent_twice_at_once_makes_one_reservation(through):
    event = event_with_seats(rows=1, seats_per_row=10)
    (holder,) = users(1, prefix="idem")
    client = bearer_client(holder)
    url = f"/api/events/{event.id}/reserve/"
    for round_number, seat in enumerate(event.seats.order_by("id")[:5]):
        assert (
            client.post(
                f"/api/events/{event.id}/seats/{seat.id}/lock/", {}, format="json"
            ).status_code
            == 200
        )
        key = f"key-{round_number}"

        first, second = run_together(
            [partial(through.client(holder), url, {"seat_ids": [seat.id]}, key) for _ in range(2)]
        )

        assert first.status_code == second.status_code == 201, (first.content, second.content)
        assert first.json() == second.json()
        replayed = sorted(str(r.headers.get("Idempotent-Replayed")) for r in (first, second))
        assert replayed == ["None", "true"], "one booked, the other replayed its answer"
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


def test_two_sweepers_at_once_free_each_ended_lock_exactly_once(monkeypatch):
    from reservations import services

    published = []
    monkeypatch.setattr(
        "realtime.broadcast.seats_publish", lambda event_id, changes: published.extend(changes)
    )
    event = event_with_seats(rows=4, seats_per_row=25)
    (holder,) = users(1, prefix="sweep")
    Seat.objects.filter(event=event).update(
        status="locked", locked_by=holder, locked_until=timezone.now() - timedelta(seconds=1)
    )

    first, second = run_together([lambda: services.locks_expire(batch_size=10)] * 2)

    assert len(first) + len(second) == 100
    assert not {s.id for s in first} & {s.id for s in second}
    assert sorted(c["id"] for c in published) == sorted(event.seats.values_list("id", flat=True))
    assert set(Seat.objects.filter(event=event).values_list("status", "version")) == {
        ("available", 1)
    }


def test_one_user_locking_many_seats_at_once_never_passes_the_hold_limit(settings, through):
    """The user-row lock of the services: without it the count and the writes race."""
    settings.SEAT_HOLD_LIMIT = 3
    event = event_with_seats(rows=1, seats_per_row=16)
    (holder,) = users(1, prefix="greedy")
    urls = [f"/api/events/{event.id}/seats/{seat.id}/lock/" for seat in event.seats.all()]
    for _ in range(5):
        Seat.objects.filter(event=event).update(
            status="available", locked_by=None, locked_until=None
        )

        results = run_together([partial(through.client(holder), url, {}) for url in urls])

        assert Counter(code_of(r) for r in results) == {"ok": 3, "hold_limit": 13}
        assert Seat.objects.filter(status="locked", locked_by=holder).count() == 3
