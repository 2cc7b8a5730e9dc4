"""The fast path (reservations/api/fast.py) for holds: the same answers as Django, for fewer
cycles, and the same rules (fast_calls.py runs it)."""

import asyncio
import json
import tempfile
from datetime import timedelta

import pytest
from channels.layers import get_channel_layer
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from realtime.broadcast import event_group
from reservations.api.loop_database import loop_pool
from reservations.api.loop_requests import cors_headers_for
from reservations.ledger.models import SeatChange
from reservations.models import Event, Seat
from reservations.services.blocking import seats_block

from .factories import UserFactory, event_with_seats
from .fast_calls import (
    bearer,
    call,
    clicks,
    lock_path,
    lowered,
    on_one_loop,
)

pytestmark = pytest.mark.django_db(transaction=True)


def normalised(status, payload, positions):
    """An answer with seat ids as positions in their event, times as present/absent, and
    category ids (each event has its own) as present/absent."""
    payload = json.loads(json.dumps(payload))
    if "seat" in payload:
        payload["seat"]["id"] = positions[payload["seat"]["id"]]
        payload["seat"]["locked_until"] = payload["seat"]["locked_until"] is not None
        payload["seat"]["category"] = isinstance(payload["seat"]["category"], int)
    if "seats" in payload:
        payload["seats"] = [positions[i] for i in payload["seats"]]
    return status, payload


# The same clicks for either side: who (None: a bad token), which seat, what.
SCRIPT = [
    ("alice", 0, "lock"),
    ("alice", 0, "lock"),  # already hers: 200, not extended
    ("bob", 0, "lock"),  # seat_unavailable
    ("bob", 0, "unlock"),  # not_holder
    ("alice", 0, "unlock"),
    ("alice", 0, "unlock"),  # not_holder: already released
    ("bob", 1, "lock"),
    ("alice", "elsewhere", "lock"),  # a seat of another event: not_found
    (None, 2, "lock"),  # a bad token: not_authenticated
]


ALLOWED_ORIGIN = "http://app.example"


@pytest.mark.parametrize(
    "origin",
    [
        None,  # a script
        ALLOWED_ORIGIN,  # the cross-origin build of the client
        "http://127.0.0.1",  # the same-origin build: browsers send Origin with every POST
        "http://elsewhere.example",  # not allowed: no CORS headers, as from Django
    ],
)
def test_lock_and_unlock_answer_exactly_as_through_django(fast, settings, origin):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN]
    cors_headers_for.cache_clear()
    sent_origin = [] if origin is None else [(b"origin", origin.encode())]
    users = {"alice": UserFactory(username="alice"), "bob": UserFactory(username="bob")}
    stranger = event_with_seats(rows=1, seats_per_row=1, name="Elsewhere").seats.get()
    fast_event = event_with_seats(rows=1, seats_per_row=3)
    django_event = event_with_seats(rows=1, seats_per_row=3)

    def requests(event):
        seats = dict(enumerate(event.seats.order_by("id")), elsewhere=stranger)
        positions = {seat.id: position for position, seat in seats.items()}
        paths = [lock_path(event, seats[index], action) for _, index, action in SCRIPT]
        return paths, positions

    fast_paths, fast_positions = requests(fast_event)
    tokens = {name: bearer(user) for name, user in users.items()} | {None: b"Bearer not-a-token"}

    async def one_by_one():
        return [
            await call(fast, path, headers=[(b"authorization", tokens[who]), *sent_origin])
            for path, (who, _, _) in zip(fast_paths, SCRIPT, strict=True)
        ]

    fast_answers = on_one_loop(fast, one_by_one)

    django_paths, django_positions = requests(django_event)
    django_answers = []
    for path, (who, _, _) in zip(django_paths, SCRIPT, strict=True):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=tokens[who].decode())
        if origin is not None:
            client.credentials(HTTP_AUTHORIZATION=tokens[who].decode(), HTTP_ORIGIN=origin)
        response = client.post(path, {}, format="json")
        django_answers.append((response.status_code, response.json(), dict(response.headers)))

    assert fast.django_app.paths == []  # every click above was answered by the fast path
    assert [status for status, _, _ in fast_answers] == [
        200,
        200,
        409,
        409,
        200,
        409,
        200,
        404,
        401,
    ]
    assert [normalised(s, p, fast_positions) for s, p, _ in fast_answers] == [
        normalised(s, p, django_positions) for s, p, _ in django_answers
    ]
    for (_, _, fast_headers), (_, _, django_headers) in zip(
        fast_answers, django_answers, strict=True
    ):
        assert fast_headers.pop("x-seatmap-path") == "fast"
        # The bodies' spacing differs (their JSON is compared above), so their lengths may.
        assert lowered(fast_headers, "content-length") == lowered(django_headers, "content-length")
    if origin == ALLOWED_ORIGIN:
        assert fast_answers[0][2]["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_a_lock_through_the_fast_path_is_written_and_broadcast_after_commit(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()
    token = bearer(alice)

    async def lock_and_hear():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(event_group(event.id), channel)
        try:
            answer = await call(fast, lock_path(event, seat), headers=[(b"authorization", token)])
            async with asyncio.timeout(5):
                return answer, await layer.receive(channel)
        finally:
            await layer.group_discard(event_group(event.id), channel)

    (status, payload, _), message = on_one_loop(fast, lock_and_hear)

    seat.refresh_from_db()
    assert status == 200 and payload["seat"]["mine"] is True
    assert (seat.status, seat.held_by_id, seat.version) == ("locked", alice.id, 1)
    ((seq, _, changes, holders),) = message["frames"]
    assert changes == [
        {
            "id": seat.id,
            "status": "locked",
            "version": 1,
            "locked_until": payload["seat"]["locked_until"],
        }
    ]
    assert holders == [alice.id]


def test_a_hold_straight_to_postgresql_sends_no_settings_and_still_says_online(fast):
    # The loop's connection opened with the timeouts and a buyer's own call as its session's
    # (loop_database.py): what libpq sent for the hold is BEGIN, the hold's statements, COMMIT.
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()

    async def hold_traced():
        pool = await loop_pool()
        await pool.wait()  # its one connection open: the one the hold takes, none added
        async with pool.connection() as conn:
            pass
        with tempfile.TemporaryFile() as trace:
            conn.pgconn.trace(trace.fileno())
            answer = await call(
                fast, lock_path(event, seat), headers=[(b"authorization", bearer(alice))]
            )
            conn.pgconn.untrace()
            assert pool.get_stats()["pool_size"] == 1
            trace.seek(0)
            return answer, trace.read()

    (status, _, _), sent = on_one_loop(fast, hold_traced)

    assert status == 200
    assert b"BEGIN" in sent and b"COMMIT" in sent and b"set_config" not in sent
    assert list(SeatChange.objects.filter(seat=seat).values_list("via", flat=True)) == ["online"]


def test_fifty_fast_path_clicks_on_one_seat_have_exactly_one_winner(fast):
    users = [UserFactory(username=f"racer{i}") for i in range(50)]
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()

    answers = clicks(fast, [(lock_path(event, seat), user) for user in users])

    assert sorted(status for status, _, _ in answers) == [200] + [409] * 49
    assert {p["code"] for s, p, _ in answers if s == 409} == {"seat_unavailable"}
    winner = next(user for user, (s, _, _) in zip(users, answers, strict=True) if s == 200)
    seat.refresh_from_db()
    assert (seat.held_by_id, seat.version) == (winner.id, 1)


def test_a_blocked_seat_is_refused_on_the_fast_path_too(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()
    seats_block(event_id=event.id, seat_ids=[seat.id])

    ((status, payload, headers),) = clicks(fast, [(lock_path(event, seat), alice)])

    assert (status, payload["code"], headers["x-seatmap-path"]) == (409, "seat_unavailable", "fast")
    seat.refresh_from_db()
    assert (seat.status, seat.blocked, seat.held_by_id) == ("reserved", True, None)


def test_the_orphan_rule_holds_on_the_fast_path_too(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=6)
    Event.objects.filter(pk=event.pk).update(orphan_mode="strict")
    second = event.seats.order_by("id")[1]

    ((status, payload, _),) = clicks(fast, [(lock_path(event, second), alice)])

    assert (status, payload["code"]) == (409, "orphan_seat")
    assert not Seat.objects.filter(event=event, status="locked").exists()


def test_the_orphan_rule_holds_for_a_lock_of_several_on_the_fast_path_too(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=6)
    Event.objects.filter(pk=event.pk).update(orphan_mode="strict")
    seats = [seat.id for seat in event.seats.order_by("id")]
    path = f"/api/events/{event.id}/lock/"

    def lock(*positions):
        body = json.dumps({"seat_ids": [seats[p] for p in positions]}).encode()
        headers = [(b"authorization", bearer(alice)), (b"content-type", b"application/json")]
        status, payload, _ = on_one_loop(fast, lambda: call(fast, path, headers=headers, body=body))
        return status, payload

    stranding, edge = lock(1, 2), lock(0, 1)

    assert (stranding[0], stranding[1]["code"], stranding[1]["seat"]) == (
        409,
        "orphan_seat",
        seats[0],
    )
    assert edge[0] == 200
    assert set(Seat.objects.filter(event=event, status="locked").values_list("id", flat=True)) == {
        seats[0],
        seats[1],
    }


def test_one_user_clicking_fifteen_seats_at_once_holds_exactly_the_limit(fast, settings):
    settings.SEAT_HOLD_LIMIT = 10
    settings.SEAT_PURCHASE_LIMIT = 20  # the hold limit alone
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=15)

    answers = clicks(fast, [(lock_path(event, seat), alice) for seat in event.seats.all()])

    assert sorted(status for status, _, _ in answers) == [200] * 10 + [409] * 5
    assert {p["code"] for s, p, _ in answers if s == 409} == {"hold_limit"}
    assert Seat.objects.filter(event=event, status="locked", held_by=alice).count() == 10


def test_an_expired_hold_is_free_for_the_next_click_and_not_the_holders_to_release(fast):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()
    Seat.objects.filter(pk=seat.pk).update(
        status="locked", held_by=alice, held_until=timezone.now() - timedelta(seconds=1)
    )

    (released,) = clicks(fast, [(lock_path(event, seat, "unlock"), alice)])
    (taken,) = clicks(fast, [(lock_path(event, seat), bob)])

    assert (released[0], released[1]["code"]) == (409, "not_holder")
    assert taken[0] == 200 and taken[1]["seat"]["mine"] is True


def test_a_hold_in_its_last_second_is_still_released_by_its_holder(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()
    Seat.objects.filter(pk=seat.pk).update(
        status="locked",
        held_by=alice,
        held_until=timezone.now() + timedelta(milliseconds=500),
        version=1,
    )

    ((status, payload, _),) = clicks(fast, [(lock_path(event, seat, "unlock"), alice)])

    assert status == 200 and payload["seat"]["status"] == "available"
    seat.refresh_from_db()
    assert (seat.status, seat.held_by_id, seat.version) == ("available", None, 2)


def test_a_token_of_a_deactivated_account_is_refused_and_changes_nothing(fast):
    alice = UserFactory(username="alice", is_active=False)
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()

    ((status, payload, headers),) = clicks(fast, [(lock_path(event, seat), alice)])

    assert (status, payload["code"]) == (401, "not_authenticated")
    assert headers["www-authenticate"] == 'Bearer realm="api"'
    seat.refresh_from_db()
    assert (seat.status, seat.version) == ("available", 0)


def test_a_deactivated_account_asking_best_available_is_refused_and_holds_nothing(fast):
    """Negative control: with the account's state taken as active in best available's
    decisions (best._buyer_decisions), the block was held (200)."""
    alice = UserFactory(username="alice", is_active=False)
    event = event_with_seats(rows=1, seats_per_row=4)
    path = f"/api/events/{event.pk}/best/"
    headers = [(b"authorization", bearer(alice)), (b"content-type", b"application/json")]

    status, payload, _ = on_one_loop(
        fast, lambda: call(fast, path, headers=headers, body=b'{"count": 2}')
    )

    assert (status, payload["code"]) == (401, "not_authenticated")
    assert not Seat.objects.filter(event=event).exclude(status="available").exists()


def test_a_token_that_worked_is_refused_once_it_expires(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=2)
    first, second = event.seats.order_by("id")
    access = RefreshToken.for_user(alice).access_token
    access.set_exp(lifetime=timedelta(seconds=1))
    token = f"Bearer {access}".encode()

    async def before_and_after_expiry():
        before = await call(fast, lock_path(event, first), headers=[(b"authorization", token)])
        await asyncio.sleep(1.1)
        after = await call(fast, lock_path(event, second), headers=[(b"authorization", token)])
        return before, after

    (before, _, _), (after, payload, _) = on_one_loop(fast, before_and_after_expiry)

    assert (before, after, payload["code"]) == (200, 401, "not_authenticated")
    second.refresh_from_db()
    assert second.status == "available"


def test_an_oversized_body_is_refused_before_anything_changes(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()
    token = bearer(alice)

    async def oversized():
        body = b" " * (64 * 1024 + 1)
        return await call(
            fast, lock_path(event, seat), headers=[(b"authorization", token)], body=body
        )

    status, payload, _ = on_one_loop(fast, oversized)

    assert (status, payload["code"]) == (413, "too_large")
    seat.refresh_from_db()
    assert seat.status == "available"


def test_a_buyer_holding_and_letting_go_of_a_seat_forty_times_is_answered_ok_each_time(fast):
    """As the hold bench clicks: each call's transaction ends with its last write (sql.Ending),
    and the next finds the seat as it left it."""
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()
    headers = [(b"authorization", bearer(alice))]

    async def rounds():
        answers = []
        for n in range(40):
            path = lock_path(event, seat, "unlock" if n % 2 else "lock")
            status, payload, _ = await call(fast, path, headers=headers)
            answers.append((status, payload.get("code"), payload.get("seat", {}).get("status")))
        return answers

    answers = on_one_loop(fast, rounds)

    assert answers == [(200, None, "available" if n % 2 else "locked") for n in range(40)]
    seat.refresh_from_db()
    assert (seat.status, seat.version) == ("available", 40)


def test_a_refusal_between_rounds_leaves_the_next_holds_answered_ok(fast):
    """A refused click rolls its transaction back, and psycopg's rollback deallocates every
    statement the connection prepared (runner._sent_together keeps to psycopg's cache): the
    rounds after it prepare theirs again. Negative control: with the cache kept across the
    rollback (PrepareManager.clear not emptying it), the next hold failed."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    event = event_with_seats(rows=1, seats_per_row=2)
    mine, bobs = event.seats.order_by("id")
    as_alice, as_bob = [(b"authorization", bearer(alice))], [(b"authorization", bearer(bob))]

    async def rounds():
        answers = []
        assert (await call(fast, lock_path(event, bobs), headers=as_bob))[0] == 200
        for n in range(24):
            if n == 12:  # alice clicks bob's seat: refused from the database, rolled back
                status, payload, _ = await call(fast, lock_path(event, bobs), headers=as_alice)
                answers.append((status, payload.get("code")))
            path = lock_path(event, mine, "unlock" if n % 2 else "lock")
            status, payload, _ = await call(fast, path, headers=as_alice)
            answers.append((status, payload.get("code")))
        return answers

    answers = on_one_loop(fast, rounds)

    assert answers[12] == (409, "seat_unavailable")
    assert answers[:12] + answers[13:] == [(200, None)] * 24
