"""Health: anyone may ask whether the process lives, and learns nothing else; the operator asks
which parts work, from the metrics' networks or with their token, at most one round of checks a
second (reservations/health.py, API.md "Operations")."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reservations import health
from reservations.health import check_register, health_forgotten

from .api_calls import assert_error

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def fresh_report():
    health_forgotten()
    yield
    health_forgotten()


def test_liveness_is_anyones_names_nothing_and_asks_nothing(api, settings):
    settings.REDIS_URL = DEAD_REDIS  # nothing it depends on is asked
    settings.METRICS_ALLOWED_NETWORKS = ["192.0.2.0/24"]  # a stranger asks
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_the_detailed_health_reports_every_part_to_the_operator(api):
    response = api.get("/api/health/")  # the test client is 127.0.0.1: the operator's machine
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "channel_layer": "ok"}


def test_the_detailed_health_says_when_the_channel_layer_is_down(api, settings):
    settings.REDIS_URL = DEAD_REDIS
    body = assert_error(api.get("/api/health/"), 503, "unavailable")
    assert body["channel_layer"] == "down" and body["database"] == "ok"


def test_a_stranger_is_refused_the_detailed_health_and_the_token_lets_the_operator_in(
    api, settings
):
    settings.METRICS_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    settings.METRICS_TOKEN = "operator-token-1"
    body = assert_error(api.get("/api/health/"), 403, "forbidden")
    assert "database" not in body and "channel_layer" not in body
    guessed = api.get("/api/health/", HTTP_AUTHORIZATION="Bearer guess")
    assert_error(guessed, 403, "forbidden")
    allowed = api.get("/api/health/", HTTP_AUTHORIZATION="Bearer operator-token-1")
    assert allowed.status_code == 200 and allowed.json()["database"] == "ok"


@pytest.fixture
def counted_part():
    """A part of the report that counts how often it is checked."""
    calls = []
    check_register("counted", lambda: calls.append(1) or True)
    yield calls
    del health._checks["counted"]


def test_the_detailed_health_is_checked_at_most_once_a_second(api, settings, counted_part):
    settings.HEALTH_CACHE_SECONDS = 1.0
    assert api.get("/api/health/").status_code == 200
    settings.REDIS_URL = DEAD_REDIS  # the part goes away: the report of this second stands
    for _ in range(5):
        assert api.get("/api/health/").status_code == 200
    assert len(counted_part) == 1  # one round of checks for six asks
    time.sleep(1.1)
    assert_error(api.get("/api/health/"), 503, "unavailable")
    assert len(counted_part) == 2
