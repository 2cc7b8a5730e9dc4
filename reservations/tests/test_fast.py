"""The fast path (reservations/api/fast.py): the same answers as Django, for fewer cycles.

Run in-process as an ASGI app on a real PostgreSQL pool and real Redis, with a stand-in for
Django behind it that records what it was handed, so each test knows which side answered.
"""

import asyncio
import json
from collections import Counter
from datetime import timedelta

import psycopg
import pytest
from channels.layers import get_channel_layer
from django.utils import timezone
from psycopg_pool import PoolTimeout
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from realtime.broadcast import event_group, publishes_sent
from reservations import live_seats, services
from reservations.api import fast as fast_module
from reservations.api.errors import exception_response
from reservations.api.fast import FastSeatActions
from reservations.api.loop_database import close_loop_pool
from reservations.api.loop_requests import cors_headers_for
from reservations.models import Event, Reservation, ReservedSeat, Seat
from reservations.services import best as best_module
from reservations.services.best import room_steps
from reservations.services.blocking import seats_block
from reservations.services.runner import run
from reservations.services.sql import Statement
from reservations.signals import seats_changed

from .factories import UserFactory, event_with_seats, hall

pytestmark = pytest.mark.django_db(transaction=True)

HOST = [(b"host", b"127.0.0.1")]


class DjangoStandIn:
    """Behind the fast path: answers 299 and remembers each request it was given."""

    def __init__(self):
        self.paths = []

    async def __call__(self, scope, receive, send):
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def bearer(user) -> bytes:
    return f"Bearer {RefreshToken.for_user(user).access_token}".encode()


async def call(app, path, *, headers=(), method="POST", body=b"{}", client=None):
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "scheme": "http",
        "headers": [*headers] if any(n == b"host" for n, _ in headers) else [*HOST, *headers],
    }
    if client is not None:
        scope["client"] = (client, 40000)
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start, body_message = sent
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    payload = json.loads(body_message["body"]) if body_message["body"] else None
    return start["status"], payload, headers


@pytest.fixture
def fast(settings):
    return FastSeatActions(DjangoStandIn())


def on_one_loop(app, scenario):
    """Run `scenario()` on a fresh event loop, as the server would, and close the pool after."""

    async def main():
        try:
            return await scenario()
        finally:
            await publishes_sent()
            await close_loop_pool()

    return asyncio.run(main())


def clicks(app, requests):
    """Send (path, user) lock/unlock requests all at once; their (status, payload, headers)."""
    tokens = {user: bearer(user) for _, user in requests}

    async def scenario():
        return await asyncio.gather(
            *(
                call(app, path, headers=[(b"authorization", tokens[user])])
                for path, user in requests
            )
        )

    return on_one_loop(app, scenario)


def lock_path(event, seat, action="lock"):
    return f"/api/events/{event.id}/seats/{seat.id}/{action}/"


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
        assert _lowered(fast_headers, "content-length") == _lowered(
            django_headers, "content-length"
        )
    if origin == ALLOWED_ORIGIN:
        assert fast_answers[0][2]["access-control-allow-origin"] == ALLOWED_ORIGIN


def _lowered(headers, *without):
    return {k.lower(): v for k, v in headers.items() if k.lower() not in without}


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
    assert (seat.status, seat.locked_by_id, seat.version) == ("locked", alice.id, 1)
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


def test_fifty_fast_path_clicks_on_one_seat_have_exactly_one_winner(fast):
    users = [UserFactory(username=f"racer{i}") for i in range(50)]
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()

    answers = clicks(fast, [(lock_path(event, seat), user) for user in users])

    assert sorted(status for status, _, _ in answers) == [200] + [409] * 49
    assert {p["code"] for s, p, _ in answers if s == 409} == {"seat_unavailable"}
    winner = next(user for user, (s, _, _) in zip(users, answers, strict=True) if s == 200)
    seat.refresh_from_db()
    assert (seat.locked_by_id, seat.version) == (winner.id, 1)


def test_a_blocked_seat_is_refused_on_the_fast_path_too(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()
    seats_block(event_id=event.id, seat_ids=[seat.id])

    ((status, payload, headers),) = clicks(fast, [(lock_path(event, seat), alice)])

    assert (status, payload["code"], headers["x-seatmap-path"]) == (409, "seat_unavailable", "fast")
    seat.refresh_from_db()
    assert (seat.status, seat.blocked, seat.locked_by_id) == ("reserved", True, None)


def test_the_orphan_rule_holds_on_the_fast_path_too(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=6)
    Event.objects.filter(pk=event.pk).update(orphan_mode="strict")
    second = event.seats.order_by("id")[1]

    ((status, payload, _),) = clicks(fast, [(lock_path(event, second), alice)])

    assert (status, payload["code"]) == (409, "orphan_seat")
    assert not Seat.objects.filter(event=event, status="locked").exists()


def test_one_user_clicking_fifteen_seats_at_once_holds_exactly_the_limit(fast, settings):
    settings.SEAT_HOLD_LIMIT = 10
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=15)

    answers = clicks(fast, [(lock_path(event, seat), alice) for seat in event.seats.all()])

    assert sorted(status for status, _, _ in answers) == [200] * 10 + [409] * 5
    assert {p["code"] for s, p, _ in answers if s == 409} == {"hold_limit"}
    assert Seat.objects.filter(event=event, status="locked", locked_by=alice).count() == 10


def test_an_expired_hold_is_free_for_the_next_click_and_not_the_holders_to_release(fast):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()
    Seat.objects.filter(pk=seat.pk).update(
        status="locked", locked_by=alice, locked_until=timezone.now() - timedelta(seconds=1)
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
        locked_by=alice,
        locked_until=timezone.now() + timedelta(milliseconds=500),
        version=1,
    )

    ((status, payload, _),) = clicks(fast, [(lock_path(event, seat, "unlock"), alice)])

    assert status == 200 and payload["seat"]["status"] == "available"
    seat.refresh_from_db()
    assert (seat.status, seat.locked_by_id, seat.version) == ("available", None, 2)


def test_a_token_of_a_deactivated_account_is_refused_and_changes_nothing(fast):
    alice = UserFactory(username="alice", is_active=False)
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()

    ((status, payload, headers),) = clicks(fast, [(lock_path(event, seat), alice)])

    assert (status, payload["code"]) == (401, "not_authenticated")
    assert headers["www-authenticate"] == 'Bearer realm="api"'
    seat.refresh_from_db()
    assert (seat.status, seat.version) == ("available", 0)


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


@pytest.mark.parametrize(
    "error", [psycopg.OperationalError("connection refused"), PoolTimeout("no connection in 10 s")]
)
def test_a_database_out_of_reach_is_a_503_in_the_api_shape(error):
    # The fast path meets psycopg's own errors, not Django's wrappers of them.
    response = exception_response(error)

    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "unavailable"


LOCK = "/api/events/1/seats/2/lock/"


@pytest.mark.parametrize(
    "why, method, path, headers",
    [
        (
            "another route",
            "POST",
            "/api/events/1/seats/2/extend/",
            [(b"authorization", b"Bearer x")],
        ),
        ("another method", "GET", LOCK, [(b"authorization", b"Bearer x")]),
        ("no bearer token (a session)", "POST", LOCK, [(b"cookie", b"sessionid=x")]),
        (
            "a host Django would refuse",
            "POST",
            LOCK,
            [(b"authorization", b"Bearer x"), (b"host", b"evil.example")],
        ),
    ],
)
def test_what_the_fast_path_does_not_own_goes_to_django_unchanged(fast, why, method, path, headers):
    async def scenario():
        return await call(fast, path, headers=headers, method=method)

    status, _, _ = on_one_loop(fast, scenario)

    assert (status, fast.django_app.paths) == (299, [path]), why


BAD_BODIES = [
    ("malformed JSON", b"{not json", b"application/json"),
    ("JSON that is not an object", b"[1, 2]", b"application/json"),
    ("a body that is not JSON", b"seat=1", b"application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize("why, body, content_type", BAD_BODIES)
def test_a_bad_body_is_refused_as_through_django_and_holds_nothing(fast, why, body, content_type):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=2)
    fast_seat, django_seat = event.seats.order_by("id")
    token = bearer(alice)

    async def scenario():
        return await call(
            fast,
            lock_path(event, fast_seat),
            headers=[(b"authorization", token), (b"content-type", content_type)],
            body=body,
        )

    status, payload, _ = on_one_loop(fast, scenario)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token.decode())
    django = client.generic(
        "POST", lock_path(event, django_seat), body, content_type=content_type.decode()
    )

    assert (status, payload) == (django.status_code, django.json()), why
    assert status == 400 and payload["code"] == "invalid"
    assert set(Seat.objects.filter(event=event).values_list("status", flat=True)) == {"available"}


def test_an_id_too_long_for_the_database_goes_to_django_and_is_a_json_404(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=1)
    path = f"/api/events/{event.id}/seats/{'9' * 5000}/lock/"
    token = bearer(alice)

    async def scenario():
        return await call(fast, path, headers=[(b"authorization", token)])

    status, _, _ = on_one_loop(fast, scenario)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token.decode())
    response = client.post(path, {}, format="json")

    assert (status, fast.django_app.paths) == (299, [path])
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- The whole booking: lock several, reserve, cancel --------------------------------------

MISSING = 999_999_999  # an event or reservation id that exists on neither side
JSON = b"application/json"

# Who (None: a bad token), what, which seats (positions; "elsewhere": another event's seat) or
# which reservation ("first": the first one this script made), the body as sent when it is not
# {"seat_ids": seats} or {}, and an Idempotency-Key.
BOOKING_SCRIPT = [
    ("alice", "lock_several", [0, 1], None, None),
    ("bob", "lock_several", [1, 2], None, None),  # seat_unavailable, listing position 1
    ("alice", "lock_several", [], None, None),  # invalid: empty
    ("alice", "lock_several", [3, 3], None, None),  # invalid: a seat twice
    ("alice", "lock_several", ["elsewhere"], None, None),  # not_found
    ("alice", "reserve", [0, 1, 2], None, None),  # lock_required, listing position 2
    ("alice", "reserve", [0, 1], None, "key-1"),  # 201
    ("alice", "reserve", [1, 0], None, "key-1"),  # the same again: replayed, same body
    ("alice", "reserve", [0], None, "key-1"),  # idempotency_mismatch
    ("alice", "reserve", [0, 1], None, None),  # lock_required: already booked
    ("alice", "reserve", [0], None, "k" * 256),  # invalid: the key is too long
    ("alice", "reserve", ["elsewhere"], None, None),  # not_found, listing it
    ("alice", "reserve", "missing event", None, None),  # not_found: no such event
    ("alice", "reserve", None, (b"{not json", JSON), None),  # invalid
    ("alice", "reserve", None, (b"[1, 2]", JSON), None),  # invalid: not an object
    ("alice", "reserve", None, (b"seat_ids=1", b"application/x-www-form-urlencoded"), None),
    ("alice", "reserve", None, (b"{}", JSON), None),  # invalid: no seat_ids
    ("alice", "reserve", None, (b'{"seat_ids": ["x"]}', JSON), None),  # invalid: not an id
    ("alice", "reserve", None, (b"", None), None),  # invalid: no body at all
    (None, "reserve", [0], None, None),  # not_authenticated
    ("bob", "cancel", "first", None, None),  # not_found: not bob's
    ("alice", "cancel", "first", (b"[1]", JSON), None),  # invalid body, nothing cancelled
    ("alice", "cancel", "first", None, None),  # 200, its seats free again
    ("alice", "cancel", "first", None, None),  # already_cancelled
    ("alice", "cancel", MISSING, None, None),  # not_found
    ("alice", "reserve", [0, 1], None, "key-1"),  # the key still answers with its booking
    ("bob", "lock_several", [1, 2], None, None),  # 200: free again
    (None, "cancel", "first", None, None),  # not_authenticated
    ("alice", "lock_several", [3], None, None),  # a companion seat
    ("alice", "reserve", [3], None, None),  # companion_requires_accessible
]


def booking_requests(event, stranger, users, reservation_of):
    """(path, body, headers) of each step of BOOKING_SCRIPT on this event, as a function of
    the reservation ids made so far (the script cancels what it booked)."""
    seats = dict(enumerate(event.seats.order_by("id")), elsewhere=stranger)
    tokens = {name: bearer(user) for name, user in users.items()} | {None: b"Bearer not-a-token"}

    def request(step):
        who, action, target, raw, key = step
        headers = [(b"authorization", tokens[who])]
        if key is not None:
            headers.append((b"idempotency-key", key.encode()))
        if action == "cancel":
            reservation = reservation_of(target) if target == "first" else target
            path = f"/api/reservations/{reservation}/cancel/"
        else:
            event_id = MISSING if target == "missing event" else event.id
            path = f"/api/events/{event_id}/{'lock' if action == 'lock_several' else action}/"
        if raw is not None:
            body, content_type = raw
        else:
            ids = [0] if target in ("missing event", "first", MISSING) else target
            body = (
                b"{}"
                if action == "cancel"
                else json.dumps({"seat_ids": [seats[i].id for i in ids]}).encode()
            )
            content_type = JSON
        if content_type is not None:
            headers.append((b"content-type", content_type))
        return path, body, headers

    positions = {seat.id: position for position, seat in seats.items()}
    return request, positions


def normalised_booking(status, payload, headers, positions, reservations):
    """An answer with seat ids as positions, reservation ids as the order they were made in,
    times as present/absent and category ids as present/absent."""
    payload = json.loads(json.dumps(payload))
    for seat in payload.get("seats", []):
        if isinstance(seat, dict):
            seat["id"] = positions[seat["id"]]
            seat["locked_until"] = seat["locked_until"] is not None
            seat["category"] = isinstance(seat["category"], int)
    if payload.get("code") and "seats" in payload:
        payload["seats"] = [positions[i] for i in payload["seats"]]
    if "reservation" in payload:
        reservation = payload["reservation"]
        reservation["id"] = reservations.index(reservation["id"])
        reservation["created_at"] = reservation["created_at"] is not None
        reservation["cancelled_at"] = reservation["cancelled_at"] is not None
        reservation["event"]["id"] = "the event"
        reservation["event"]["starts_at"] = reservation["event"]["starts_at"] is not None
        for seat in reservation["seats"]:
            seat["id"] = positions[seat["id"]]
    headers = _lowered(headers, "content-length", "x-seatmap-path")
    return status, payload, headers


def test_lock_several_reserve_and_cancel_answer_exactly_as_through_django(fast):
    # Each side its own buyers: an Idempotency-Key is the user's, whatever the event.
    fast_users, django_users = (
        {name: UserFactory(username=f"{name}-{side}") for name in ("alice", "bob")}
        for side in ("fast", "django")
    )
    stranger = event_with_seats(rows=1, seats_per_row=1, name="Elsewhere").seats.get()
    fast_event = event_with_seats(rows=1, seats_per_row=4)
    django_event = event_with_seats(rows=1, seats_per_row=4)
    for event in (fast_event, django_event):
        event.seats.filter(pk=event.seats.order_by("id")[3].pk).update(companion=True)
    fast_made, django_made = [], []

    fast_request, fast_positions = booking_requests(
        fast_event, stranger, fast_users, lambda _: fast_made[0]
    )

    async def one_by_one():
        answers = []
        for step in BOOKING_SCRIPT:
            path, body, headers = fast_request(step)
            answer = await call(fast, path, headers=headers, body=body)
            _remember(answer[1], fast_made)
            answers.append(answer)
        return answers

    fast_answers = on_one_loop(fast, one_by_one)

    django_request, django_positions = booking_requests(
        django_event, stranger, django_users, lambda _: django_made[0]
    )
    django_answers = []
    for step in BOOKING_SCRIPT:
        path, body, headers = django_request(step)
        extra = {
            "HTTP_" + name.decode().upper().replace("-", "_"): value.decode()
            for name, value in headers
            if name != b"content-type"
        }
        content_type = dict(headers).get(b"content-type")
        response = APIClient().generic(
            "POST",
            path,
            body,
            content_type=content_type.decode() if content_type else "",
            **extra,
        )
        payload = response.json()
        _remember(payload, django_made)
        django_answers.append((response.status_code, payload, dict(response.headers)))

    assert fast.django_app.paths == []  # every call above was answered by the fast path
    assert [status for status, _, _ in fast_answers] == [
        200, 409, 400, 400, 404, 409, 201, 201, 422, 409, 400, 404, 404, 400, 400, 400, 400,
        400, 400, 401, 404, 400, 200, 409, 404, 201, 200, 401, 200, 409,
    ]  # fmt: skip
    assert fast_answers[7][2]["idempotent-replayed"] == "true"
    assert fast_answers[7][1] == fast_answers[6][1]  # the replay is the first answer again
    for step, fast_answer, django_answer in zip(
        BOOKING_SCRIPT, fast_answers, django_answers, strict=True
    ):
        assert normalised_booking(*fast_answer, fast_positions, fast_made) == normalised_booking(
            *django_answer, django_positions, django_made
        ), step
    for event in (fast_event, django_event):
        states = list(event.seats.order_by("id").values_list("status", "version"))
        assert states == [("available", 3), ("locked", 4), ("locked", 1), ("locked", 1)]


def _remember(payload, made):
    reservation = payload.get("reservation") if isinstance(payload, dict) else None
    if reservation is not None and reservation["id"] not in made:
        made.append(reservation["id"])


def test_a_booking_on_the_fast_path_is_written_and_broadcast_after_commit(fast):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=3)
    first, second, _ = event.seats.order_by("id")
    token = [(b"authorization", bearer(alice)), (b"content-type", JSON)]
    wanted = json.dumps({"seat_ids": [first.id, second.id]}).encode()

    async def checkout_and_hear():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(event_group(event.id), channel)
        heard = []
        try:
            base = f"/api/events/{event.id}"
            answers = [
                await call(fast, f"{base}/lock/", headers=token, body=wanted),
                await call(fast, f"{base}/reserve/", headers=token, body=wanted),
            ]
            reservation = answers[1][1]["reservation"]["id"]
            refused = await call(fast, f"{base}/reserve/", headers=token, body=wanted)
            answers.append(
                await call(fast, f"/api/reservations/{reservation}/cancel/", headers=token)
            )
            async with asyncio.timeout(5):
                while len(heard) < 3:
                    message = await layer.receive(channel)
                    heard.extend(changes for _, _, changes, _ in message["frames"])
            return answers, refused, heard
        finally:
            await layer.group_discard(event_group(event.id), channel)

    answers, refused, heard = on_one_loop(fast, checkout_and_hear)

    assert [status for status, _, _ in answers] == [200, 201, 200]
    assert (refused[0], refused[1]["code"]) == (409, "lock_required")  # and told nobody
    assert [[(c["id"], c["status"], c["version"]) for c in changes] for changes in heard] == [
        [(first.id, "locked", 1), (second.id, "locked", 1)],
        [(first.id, "reserved", 2), (second.id, "reserved", 2)],
        [(first.id, "available", 3), (second.id, "available", 3)],
    ]
    reservation = Reservation.objects.get()
    assert reservation.status == "cancelled"
    assert not ReservedSeat.objects.filter(is_active=True).exists()


@pytest.mark.parametrize(
    "why, body",
    [
        # orjson reads an integer past 64 bits as a float; DRF's parser keeps it an integer.
        ("an id too long for 64 bits", b'{"seat_ids": [123456789012345678901234567890]}'),
        ("a negative one", b'{"seat_ids": [-123456789012345678901234567890]}'),
        ("an id as a string", b'{"seat_ids": ["1"]}'),
        ("an integral float", b'{"seat_ids": [1.0]}'),
        ("null", b"null"),
        (
            "over a hundred seats",
            b'{"seat_ids": [%s]}' % b",".join(b"%d" % i for i in range(1, 102)),
        ),
    ],
)
def test_an_unusual_reserve_body_is_judged_as_through_django(fast, why, body):
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=1)
    token = bearer(alice)
    path = f"/api/events/{event.id}/reserve/"

    async def scenario():
        return await call(
            fast, path, headers=[(b"authorization", token), (b"content-type", JSON)], body=body
        )

    status, payload, _ = on_one_loop(fast, scenario)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token.decode())
    django = client.generic("POST", path, body, content_type="application/json")

    assert (status, payload) == (django.status_code, django.json()), why


def test_a_reservation_answer_is_byte_for_byte_what_django_writes(fast):
    """Same reservation, same bytes: the fast path's reserve and cancel answers wrap exactly
    what Django's renderer writes for GET /api/reservations/{id}/ (which escapes U+2028 and
    U+2029, where orjson would not)."""
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=3, name='Konzert\u2028Ä "mit" \u2029Pause')
    first, second, _ = event.seats.order_by("id")
    services.seats_lock(user=alice, event_id=event.id, seat_ids=[first.id, second.id])
    token = bearer(alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token.decode())

    def raw_answer(path, body):
        sent = []

        async def scenario():
            messages = [{"type": "http.request", "body": body, "more_body": False}]

            async def receive():
                return messages.pop(0) if messages else {"type": "http.disconnect"}

            async def send(message):
                sent.append(message)

            headers = [*HOST, (b"authorization", token), (b"content-type", JSON)]
            scope = {"type": "http", "method": "POST", "path": path, "scheme": "http"}
            await fast({**scope, "headers": headers}, receive, send)

        on_one_loop(fast, scenario)
        return sent[0]["status"], sent[1]["body"]

    wanted = json.dumps({"seat_ids": [first.id, second.id]}).encode()
    status, booked = raw_answer(f"/api/events/{event.id}/reserve/", wanted)
    reservation = json.loads(booked)["reservation"]["id"]
    as_django = client.get(f"/api/reservations/{reservation}/").content
    assert status == 201
    assert booked == b'{"success":true,"reservation":' + as_django + b"}"
    assert b"\\u2028" in booked and b"\\u2029" in booked

    status, cancelled = raw_answer(f"/api/reservations/{reservation}/cancel/", b"{}")
    as_django = client.get(f"/api/reservations/{reservation}/").content
    message = b'"message":"Your reservation is cancelled and its seats are free again."'
    assert status == 200
    assert cancelled == b'{"success":true,' + message + b',"reservation":' + as_django + b"}"


# --- Best available -------------------------------------------------------------------------

# Who, and the body sent (bytes: as it is). Rows of three seats and one of one: every block has
# one place, so both sides must choose the same seats whatever their seeds.
BEST_SCRIPT = [
    ("alice", {"count": 3}),  # 200: row A, row B the alternative
    ("alice", {"count": 3, "category": MISSING}),  # not_found: no such category
    ("alice", {}),  # invalid: no count
    ("alice", {"count": 0}),  # invalid
    ("alice", {"count": 2, "accessible": 3}),  # invalid: more wheelchair spaces than seats
    ("alice", {"count": "3"}),  # as DRF takes it: 200, row B
    ("bob", {"count": 3}),  # no_block: one seat is left
    ("bob", {"count": 1, "accessible": 1}),  # no_block: the hall has no wheelchair space
    ("bob", {"count": 1, "section": "Balcony"}),  # no_block, naming the section
    ("bob", b"{not json"),  # invalid
    (None, {"count": 1}),  # not_authenticated
    ("bob", {"count": 1}),  # 200: the last seat, row C
]


def test_best_available_answers_exactly_as_through_django(fast):
    answers = {}
    for side in ("fast", "django"):
        users = {name: UserFactory(username=f"{name}-{side}") for name in ("alice", "bob")}
        event = hall(rows={"A": "...", "B": "...", "C": "."})
        positions = {seat.id: n for n, seat in enumerate(event.seats.order_by("id"))}
        tokens = {name: bearer(user) for name, user in users.items()}
        tokens[None] = b"Bearer not-a-token"
        path = f"/api/events/{event.id}/best/"
        steps = [
            (tokens[who], body if isinstance(body, bytes) else json.dumps(body).encode())
            for who, body in BEST_SCRIPT
        ]
        if side == "fast":

            async def one_by_one(steps=steps, path=path):
                return [
                    await call(
                        fast,
                        path,
                        headers=[(b"authorization", token), (b"content-type", JSON)],
                        body=body,
                    )
                    for token, body in steps
                ]

            raw = on_one_loop(fast, one_by_one)
        else:
            raw = []
            for token, body in steps:
                response = APIClient().generic(
                    "POST",
                    path,
                    body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=token.decode(),
                )
                raw.append((response.status_code, response.json(), dict(response.headers)))
        answers[side] = [_normalised_best(*answer, positions) for answer in raw]

    assert fast.django_app.paths == []  # every call above was answered by the fast path
    assert [status for status, _, _ in answers["fast"]] == [
        200, 404, 400, 400, 400, 200, 409, 409, 409, 400, 401, 200
    ]  # fmt: skip
    first = answers["fast"][0][1]
    assert [seat["id"] for seat in first["seats"]] == [0, 1, 2]  # row A
    assert first["alternatives"] == [[3, 4, 5]]  # row B
    assert [seat["id"] for seat in answers["fast"][-1][1]["seats"]] == [6]
    assert "Balcony" in answers["fast"][8][1]["error"]
    for step, fast_answer, django_answer in zip(
        BEST_SCRIPT, answers["fast"], answers["django"], strict=True
    ):
        assert fast_answer == django_answer, step


def _normalised_best(status, payload, headers, positions):
    payload = json.loads(json.dumps(payload))
    for seat in payload.get("seats", []):
        seat["id"] = positions[seat["id"]]
        seat["locked_until"] = seat["locked_until"] is not None
        seat["category"] = isinstance(seat["category"], int)
    if "alternatives" in payload:
        payload["alternatives"] = [
            [positions[i] for i in block] for block in payload["alternatives"]
        ]
    return status, payload, _lowered(headers, "content-length", "x-seatmap-path")


def test_a_stale_room_goes_on_serving_while_a_task_reads_it_again(fast, monkeypatch):
    """Best available does not wait for its room to be read again every ROOM_SECONDS: the ask
    is answered on the room kept, and the room read afresh takes its place when it is ready."""
    alice = UserFactory(username="alice")
    event = hall(rows={"A": "....", "B": "...."})
    run(room_steps(event_id=event.pk))
    kept = best_module._shelves[event.pk]
    kept.read_at -= best_module.ROOM_SECONDS + 1

    token = bearer(alice)
    read_again = []

    def slow_room_steps(*, event_id):
        yield Statement("SELECT pg_sleep(0.5)", {})
        yield from room_steps(event_id=event_id)
        read_again[0].set()

    monkeypatch.setattr(fast_module, "room_steps", slow_room_steps)

    async def scenario():
        read_again.append(asyncio.Event())
        answer = await call(
            fast,
            f"/api/events/{event.pk}/best/",
            headers=[(b"authorization", token), (b"content-type", JSON)],
            body=b'{"count": 4}',
        )
        answered_on = best_module._shelves[event.pk]
        await asyncio.wait_for(read_again[0].wait(), 5)
        return answer, answered_on

    (status, payload, _), answered_on = on_one_loop(fast, scenario)
    assert status == 200 and len(payload["seats"]) == 4
    assert answered_on is kept
    assert not best_module._shelves[event.pk].stale


@pytest.fixture
def memory_of_commits():
    """A process memory of seats as realtime's live map keeps it: told of every commit (the
    `seats_changed` signal), it refuses a click on a seat someone else holds."""
    taken: dict[int, tuple[int | None, str]] = {}

    def remember(sender, event_id, changes, **_):
        for change in changes:
            taken[change.id] = (change.owner, change.status)

    def taken_by_other(event_id, seat_id, user_id):
        owner, status = taken.get(seat_id, (None, "available"))
        return f"#{seat_id}" if status != "available" and owner != user_id else None

    seats_changed.connect(remember)
    live_seats.live_seats_register(taken_by_other, lambda *_: None)
    yield
    seats_changed.disconnect(remember)
    from realtime.hub import category_counts, seat_taken_by_other

    live_seats.live_seats_register(seat_taken_by_other, category_counts)


def test_two_hundred_clicks_on_one_seat_at_once_cost_one_transaction(fast, memory_of_commits):
    """Clicks on one seat take turns on the loop (seat_turns.py): the first runs its
    transaction, the others then find the winner's hold in memory and are refused without one.
    Negative control: clicking without the turn, every click ran a transaction (seen: 200)."""
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()
    buyers = UserFactory.create_batch(200)
    transactions = []
    run = fast._run

    async def counted(steps):
        transactions.append(steps)
        return await run(steps)

    fast._run = counted
    answers = clicks(fast, [(lock_path(event, seat), buyer) for buyer in buyers])

    statuses = Counter(status for status, _, _ in answers)
    assert statuses == {200: 1, 409: 199}
    assert {p["code"] for s, p, _ in answers if s == 409} == {"seat_unavailable"}
    assert len(transactions) == 1
    held = Seat.objects.get(pk=seat.pk)
    assert held.status == "locked" and held.locked_by_id in {buyer.pk for buyer in buyers}
