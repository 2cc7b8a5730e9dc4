"""Redis stopped under a live server: every route still answers (never 500), reads come from
the database and process memory, login and register work, and every limit still applies,
counted in a window of the server process's own (API.md "When Redis is gone").

Redis is one of the test's own (a `redis-server` on a free port), so killing it disturbs
nobody else on the machine.
"""

import uuid

import httpx
import pytest

from harness.servers import ROOT, free_port, server_process
from realtime.tests.test_servers import own_redis
from reservations.tests.factories import PASSWORD, UserFactory, event_with_seats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# The server's log line that says the limits went over to its own windows (reservations/
# api/redis_outage.py): once per outage, however many calls it counted meanwhile.
OUTAGE_WARNING = "Redis is out of reach"


def _statuses(answers: list[httpx.Response]) -> list[int]:
    return [answer.status_code for answer in answers]


def test_with_redis_killed_every_route_answers_and_every_limit_holds(stack_env):
    event = event_with_seats(rows=2, seats_per_row=10)
    UserFactory(username="alice")
    UserFactory(username="bob")
    seats = list(event.seats.order_by("id").values_list("id", flat=True))
    port = free_port()
    with own_redis(port) as redis_process:
        env = {
            **stack_env,
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "BOOKING_USER_RATE": "12/min",
            "ANON_READ_THROTTLE_RATE": "25/min",
            "AUTH_THROTTLE_RATE": "20/min",
        }
        with server_process(env) as (_, base), httpx.Client(base_url=base, timeout=30) as http:
            log = ROOT / f".server-{base.rsplit(':', 1)[1]}.log"
            bearer = {"Authorization": f"Bearer {_token(http, 'alice')}"}
            assert http.get(f"/api/events/{event.id}/seats/").status_code == 200

            redis_process.kill()
            redis_process.wait(timeout=10)

            answers = _every_route(http, event.id, seats, bearer)
            failed = {route: r.text[:200] for route, r in answers.items() if r.status_code == 500}
            assert failed == {}
            reads = ("events", "event", "seats", "map")  # a grid event has no layout: 404
            assert {route: answers[route].status_code for route in reads} == dict.fromkeys(
                reads, 200
            )
            for route in ("register", "login", "token", "token/cookie", "lock", "unlock"):
                assert answers[route].status_code in (200, 201), (route, answers[route].text)

            # The limits count in the process's own windows now: each refuses past its rate.
            reads_then = _statuses([http.get("/api/events/") for _ in range(60)])
            assert 429 in reads_then, reads_then
            clicks = _statuses(
                [
                    http.post(f"/api/events/{event.id}/seats/{seats[1]}/{action}/", headers=bearer)
                    for _ in range(15)
                    for action in ("lock", "unlock")
                ]
            )
            assert 429 in clicks and 500 not in clicks, clicks
            logins = _statuses(
                [
                    http.post("/api/login/", json={"username": f"x{i}", "password": "wrong-pw-1"})
                    for i in range(45)
                ]
            )
            assert 429 in logins and 500 not in logins, logins
            warnings = [line for line in log.read_text().splitlines() if OUTAGE_WARNING in line]
            assert len(warnings) == 1, warnings


def _token(http: httpx.Client, username: str) -> str:
    answer = http.post("/api/token/", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["access"]


def _every_route(http: httpx.Client, event_id: int, seats: list[int], bearer: dict) -> dict:
    """Every route of API.md once, in an order in which each can succeed."""
    answers = {}
    answers["health"] = http.get("/api/health/")
    answers["events"] = http.get("/api/events/")
    answers["event"] = http.get(f"/api/events/{event_id}/")
    answers["seats"] = http.get(f"/api/events/{event_id}/seats/")
    answers["map"] = http.get(f"/api/events/{event_id}/map/")
    answers["layout"] = http.get(f"/api/events/{event_id}/layout/")
    answers["state"] = http.get(f"/api/events/{event_id}/state/")
    answers["holds"] = http.get(f"/api/events/{event_id}/holds/", headers=bearer)
    answers["register"] = http.post(
        "/api/register/", json={"username": f"new{uuid.uuid4().hex[:8]}", "password": PASSWORD}
    )
    answers["login"] = http.post("/api/login/", json={"username": "bob", "password": PASSWORD})
    answers["me"] = http.get("/api/me/", headers=bearer)
    answers["token"] = http.post("/api/token/", json={"username": "bob", "password": PASSWORD})
    refresh = answers["token"].json().get("refresh", "") if answers["token"].is_success else ""
    answers["token/refresh"] = http.post("/api/token/refresh/", json={"refresh": refresh})
    answers["token/cookie"] = http.post(
        "/api/token/cookie/", json={"username": "bob", "password": PASSWORD}
    )
    answers["token/cookie/refresh"] = http.post("/api/token/cookie/refresh/")
    answers["lock"] = http.post(f"/api/events/{event_id}/seats/{seats[0]}/lock/", headers=bearer)
    answers["extend"] = http.post(
        f"/api/events/{event_id}/seats/{seats[0]}/extend/", headers=bearer
    )
    answers["unlock"] = http.post(
        f"/api/events/{event_id}/seats/{seats[0]}/unlock/", headers=bearer
    )
    pair = seats[2:4]
    answers["lock several"] = http.post(
        f"/api/events/{event_id}/lock/", json={"seat_ids": pair}, headers=bearer
    )
    answers["reserve"] = http.post(
        f"/api/events/{event_id}/reserve/",
        json={"seat_ids": pair},
        headers={**bearer, "Idempotency-Key": uuid.uuid4().hex},
    )
    answers["reservations"] = http.get("/api/reservations/", headers=bearer)
    if answers["reserve"].status_code == 201:
        reservation = answers["reserve"].json()["reservation"]["id"]
        answers["reservation"] = http.get(f"/api/reservations/{reservation}/", headers=bearer)
        answers["cancel"] = http.post(f"/api/reservations/{reservation}/cancel/", headers=bearer)
    answers["best"] = http.post(
        f"/api/events/{event_id}/best/", json={"quantity": 2}, headers=bearer
    )
    answers["logout"] = http.post("/api/logout/", json={}, headers=bearer)
    answers["admin login page"] = http.get("/admin/login/")
    return answers
