"""Bad input on a real server gets API.md's 4xx, never a 5xx, on every path: JSON nested past
any sane depth (reservations/api/request_bodies.py) and ids past PostgreSQL's bigint
(reservations/path_ids.py), on the loop's routes and Django's alike."""

import re

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.urls import get_resolver
from rest_framework_simplejwt.tokens import RefreshToken

from harness.servers import full_stack_env, running_server
from reservations.api.request_bodies import MAX_JSON_DEPTH, nests_deeper_than
from reservations.path_ids import BIGINT_MAX

from .factories import UserFactory, event_with_seats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    env = full_stack_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}", REDIS_URL=settings.REDIS_URL
    )
    with running_server(env) as base:
        yield base


ID = r"<id:\w+>"


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_json_nested_thirty_thousand_deep_is_400_invalid_on_the_fast_path_and_djangos(server):
    event = event_with_seats(rows=1, seats_per_row=2)
    token = str(RefreshToken.for_user(UserFactory()).access_token)
    json = {"Content-Type": "application/json"}

    fast = httpx.post(
        f"{server}/api/events/{event.id}/lock/",
        content=b'{"seat_ids": ' + nested(30_000) + b"}",
        headers={**json, "Authorization": f"Bearer {token}"},
    )
    django = httpx.post(
        f"{server}/api/token/refresh/", content=nested(30_000), headers=json, timeout=10
    )

    for answer in (fast, django):
        assert answer.status_code == 400, answer.text
        assert answer.json() == {
            "error": f"The request body nests its JSON deeper than {MAX_JSON_DEPTH} levels.",
            "code": "invalid",
        }
    assert not event.seats.exclude(status="available").exists()


def test_json_at_the_depth_limit_goes_on_to_its_call(server):
    body = b'{"refresh": "not a token", "pad": ' + nested(MAX_JSON_DEPTH - 1) + b"}"
    answer = httpx.post(
        f"{server}/api/token/refresh/", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 401  # read, and its token refused


def routes_with_ids() -> list[str]:
    """Every API and socket route that takes an id, as Django's resolver has them."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, text)
            elif "<id:" in text:
                found.append(text)

    walk(get_resolver().url_patterns)
    return found


def with_one_id_too_big(route: str, too_big: int):
    """The route's URL with each of its ids too big in turn, the others 1."""
    parts = re.split(ID, route)  # the text around the ids
    for chosen in range(len(parts) - 1):
        ids = ["1"] * (len(parts) - 1)
        ids[chosen] = str(too_big)
        yield "/" + "".join(part + id_ for part, id_ in zip(parts, [*ids, ""], strict=True))


@pytest.mark.parametrize("too_big", [BIGINT_MAX + 1, 10**30])
def test_every_route_answers_an_id_past_bigint_404(server, too_big):
    token = str(RefreshToken.for_user(UserFactory()).access_token)
    routes = routes_with_ids()
    assert len(routes) >= 15  # the events', seats', queue's and reservations' routes

    answers = {}
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}) as http:
        for route in routes:
            for url in with_one_id_too_big(route, too_big):
                for method in ("GET", "POST"):
                    answer = http.request(method, url, json={"seat_ids": [1]})
                    answers[method, url] = (answer.status_code, answer.json()["code"])

    assert set(answers.values()) == {(404, "not_found")}, answers


def test_nesting_counts_brackets_outside_strings_only():
    assert nests_deeper_than(b'{"a": "' + b"[" * 100 + b'"}', 32) is False  # in a string
    assert nests_deeper_than(b'["\\"' + b"[" * 40 + b'"]', 32) is False  # an escaped quote
    assert nests_deeper_than(nested(33), 32) is True
    assert nests_deeper_than(nested(32), 32) is False
