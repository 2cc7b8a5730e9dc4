import contextlib
import time

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from harness.pgbouncer import pgbouncer_in_front_of
from harness.servers import full_stack_env, running_server

from .factories import UserFactory, event_with_seats
from .smtp_inbox import smtp  # noqa: F401  (a fixture: a real SMTP server)


@pytest.fixture(autouse=True)
def booking_path_healthy():
    """Each test starts with a booking path nobody measured slow: the waiting room's tick halves
    admission while it is (path_health.py), and a race a test ran before would say it is."""
    from reservations.waiting_room import path_health

    path_health.forget()


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def event(db):
    return event_with_seats(rows=2, seats_per_row=5)


@pytest.fixture
def seats(event):
    return list(event.seats.order_by("id"))


def bearer_client(user) -> APIClient:
    """An API client that authenticates like a script: bearer token, no CSRF."""
    from rest_framework_simplejwt.tokens import RefreshToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def admin_client(client, db):
    """The test client logged in to the admin as a superuser."""
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-admin-1")
    client.force_login(admin)
    return client


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def alice_api(alice):
    return bearer_client(alice)


@pytest.fixture
def bob_api(bob):
    return bearer_client(bob)


@pytest.fixture
def short_locks(settings):
    """Holds of one second. A hold ends on a whole second (BuyerPolicy.deadline), so one taken
    late in a second would last only what is left of it: the test starts just after a whole
    second, and its first hold lasts nearly a full one."""
    settings.SEAT_LOCK_SECONDS = 1
    time.sleep(1 - time.time() % 1 + 0.01)
    return settings


@pytest.fixture
def fast(settings):
    """The loop app in-process (its fast path and reads), a stand-in for Django behind it
    (fast_calls.py)."""
    from reservations.api.loop_app import LoopApp

    from .fast_calls import DjangoStandIn

    return LoopApp(DjangoStandIn())


@pytest.fixture
def receiver():
    """A webhook receiver on 127.0.0.1 (webhook_receiver.py), up for the test."""
    from .webhook_receiver import Receiver

    receiver = Receiver().start()
    yield receiver
    receiver.stop()


# --- The paths racing requests take (races.py), for any test module -------------------------


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker):
    """Server processes on the test database, one per set of settings, for this module."""
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    started = {}
    with contextlib.ExitStack() as stack:

        def server(**env) -> str:
            key = tuple(sorted(env.items()))
            if key not in started:
                started[key] = stack.enter_context(
                    running_server(
                        full_stack_env(
                            **{
                                "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
                                "REDIS_URL": settings.REDIS_URL,
                                "HTTP_THREADS": "4",
                                **env,
                            }
                        )
                    )
                )
            return started[key]

        yield server


@pytest.fixture(scope="module")
def bouncer(django_db_setup, django_db_blocker):
    """PgBouncer in transaction mode in front of the test database, for this module."""
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    with pgbouncer_in_front_of(f"postgres://postgres@127.0.0.1:5432/{name}") as bouncer:
        yield bouncer


@pytest.fixture(params=["django", "fast", "fast-pgbouncer"])
def path(request):
    """How the racing requests are sent: `path.poster(user)` is a `post(url, body, key=None)`.
    `fast-pgbouncer`: through PgBouncer in transaction mode, keeping prepared statements, as
    compose runs it (reservations/database_pooler.py); `django-session` (asked for with
    `indirect=True`): Django's path as a browser's session sends it."""
    from .races import ThroughDjango, ThroughDjangoSession, ThroughFastPath

    if request.param == "django":
        return ThroughDjango()
    if request.param == "django-session":
        return ThroughDjangoSession()
    servers = request.getfixturevalue("servers")
    if request.param == "fast":
        return ThroughFastPath(servers)
    bouncer = request.getfixturevalue("bouncer")
    return ThroughFastPath(servers, DATABASE_URL=bouncer.url, DATABASE_POOLER=bouncer.pooler)
