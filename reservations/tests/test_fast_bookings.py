"""Lock several, reserve and cancel on the fast path (reservations/api/fast.py): answered as
through Django, written and broadcast after commit."""

import asyncio
import json

import pytest
from channels.layers import get_channel_layer
from rest_framework.test import APIClient

from realtime.broadcast import event_group
from reservations.models import Reservation, ReservedSeat

from . import booking_calls
from .factories import UserFactory, event_with_seats
from .fast_calls import (
    HOST,
    JSON,
    MISSING,
    bearer,
    call,
    lowered,
    on_one_loop,
)

pytestmark = pytest.mark.django_db(transaction=True)


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
    ("bob", "reserve", [1, 2], ("total", "80.00"), None),  # price_changed: they cost 100.00
    ("bob", "reserve", [1, 2], ("total", "-1"), None),  # invalid: a negative total
    ("bob", "reserve", [1, 2], ("total", "100.00"), None),  # 201 at the price shown
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
        if raw is not None and raw[0] == "total":
            ids = [seats[i].id for i in target]
            body, content_type = json.dumps({"seat_ids": ids, "total": raw[1]}).encode(), JSON
        elif raw is not None:
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
    headers = lowered(headers, "content-length", "x-seatmap-path")
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
        400, 400, 401, 404, 400, 200, 409, 404, 201, 200, 401, 200, 409, 409, 400, 201,
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
        assert states == [("available", 3), ("reserved", 5), ("reserved", 2), ("locked", 1)]


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
                    if message["type"] == "seats.message":  # a cancel's door frame beside
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
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[first.id, second.id])
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
