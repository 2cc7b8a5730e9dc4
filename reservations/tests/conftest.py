import time

import pytest
from rest_framework.test import APIClient

from .factories import UserFactory, event_with_seats


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
    """Holds of one second. A hold ends on a whole second (holds.lock_deadline), so one taken
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
