"""What the fast path (reservations/api/fast.py) takes and what it leaves to Django, and how it
refuses what it takes: as Django would."""

import json

import psycopg
import pytest
from psycopg_pool import PoolTimeout
from rest_framework.test import APIClient

from reservations.api.errors import exception_response
from reservations.models import Seat

from .factories import UserFactory, event_with_seats
from .fast_calls import (
    bearer,
    call,
    lock_path,
    on_one_loop,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "error", [psycopg.OperationalError("connection refused"), PoolTimeout("no connection in 10 s")]
)
def test_a_database_out_of_reach_is_a_503_in_the_api_shape(error):
    # The fast path meets psycopg's own errors, not Django's wrappers of them.
    response = exception_response(error)

    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "unavailable"
    assert response["Retry-After"] == "1"


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
