"""What the race tests share: threads released together, the answer's code, racers, a
connection of the tests' own beside Django's, the paths the racing requests take (conftest.py's
fixture `path`: Django's and the fast path's, on server processes of the module's own) and the
inventory's check after each race (import `inventory_checked_after` into a race module)."""

import threading
import time

import httpx
import pytest
from django.db import connection, connections, transaction
from rest_framework_simplejwt.tokens import RefreshToken

from harness.servers import TLS
from reservations.ledger.inventory import inventory_disagreements

from .api_calls import session_client
from .conftest import bearer_client
from .factories import UserFactory


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


def until_a_backend_waits_on_a_lock(*, seconds: float) -> bool:
    """Whether, within `seconds`, some connection waits for a lock another one holds."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def waiting_on(first, then):
    """`then()`'s answer, called while `first()`'s transaction holds the row locks it took:
    `then` is seen waiting on them (pg_locks) before `first` commits. Each on a thread of its
    own, with its own connection."""
    holding, commit, answers = threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                first()
                holding.set()
                commit.wait(10)
        finally:
            connections.close_all()

    def wait():
        try:
            answers.append(then())
        finally:
            connections.close_all()

    holder, waiter = threading.Thread(target=hold), threading.Thread(target=wait)
    holder.start()
    assert holding.wait(10)
    waiter.start()
    assert until_a_backend_waits_on_a_lock(seconds=10)
    commit.set()
    holder.join(10)
    waiter.join(30)
    return answers[0]


def code_of(response):
    return "ok" if response.status_code < 300 else response.json()["code"]


def users(n, prefix="racer"):
    return [UserFactory(username=f"{prefix}{i}") for i in range(n)]


def conninfo() -> str:
    db = connection.settings_dict
    return f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"


@pytest.fixture(autouse=True)
def inventory_checked_after():
    """Whatever a race did, the inventory agrees with its ledger after it (check_inventory):
    no seat sold twice, every booking's seats booked, and every change of a seat recorded."""
    yield
    assert inventory_disagreements() == []


class ThroughDjango:
    """Requests through Django's stack in this process (the test client)."""

    def with_settings(self, **env):
        return self  # the test's own `settings` are this path's

    def poster(self, user):
        client = bearer_client(user)

        def post(url, body, key=None):
            extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
            return client.post(url, body, format="json", **extra)

        return post


class ThroughDjangoSession:
    """Requests through Django's stack as a browser sends them: a session cookie and its CSRF
    token, a login of its own for each poster (a tab)."""

    def with_settings(self, **env):
        return self

    def poster(self, user):
        client = session_client(user)

        def post(url, body, key=None):
            extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
            return client.post(url, body, format="json", HTTP_X_CSRFTOKEN=client.csrf, **extra)

        return post


class ThroughFastPath:
    """Requests over HTTP to a server process, each answered by its fast path."""

    def __init__(self, servers, **env):
        self.servers = servers
        self.env = env
        self.base = servers(**env)

    def with_settings(self, **env):
        """The same, on a server process started with these settings."""
        return ThroughFastPath(self.servers, **self.env, **env)

    def poster(self, user):
        token = f"Bearer {RefreshToken.for_user(user).access_token}"

        def post(url, body, key=None):
            headers = {"Authorization": token} | ({"Idempotency-Key": key} if key else {})
            with httpx.Client(base_url=self.base, timeout=60, verify=TLS) as http:
                response = http.post(url, json=body, headers=headers)
            if response.headers.get("x-seatmap-path") != "fast":
                raise AssertionError(f"{url} was not answered by the fast path")
            return response

        return post
