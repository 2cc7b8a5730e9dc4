import resource

import pytest
import redis
from django.conf import settings


@pytest.fixture(autouse=True)
def clean_channel_layer():
    """Each test starts with an empty Redis database (its own: db 1 by default)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    yield


@pytest.fixture
async def relay():
    """The process's hub for this test's event loop, stopped when the test ends."""
    from channels.layers import channel_layers

    from realtime.hub import hub

    # The channel layer keeps loop-bound locks; each test has its own loop, so its own layer.
    channel_layers.backends.clear()
    current = hub()
    yield current
    await current.close()
    for layer in channel_layers.backends.values():
        if hasattr(layer, "close_pools"):
            await layer.close_pools()
    channel_layers.backends.clear()


# The servers' PostgreSQL sessions carry this name, so the test can end them and only them.
SERVER_APP = "seatmap-test-server"


@pytest.fixture
def many_open_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
def stack_env(settings, many_open_files):
    """Env for real server processes on this test's database (its rows are committed:
    transaction=True) and Redis database."""
    from django.db import connection

    from harness.servers import full_stack_env

    name = connection.settings_dict["NAME"]
    yield full_stack_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}?application_name={SERVER_APP}",
        REDIS_URL=settings.REDIS_URL,
    )
    # A server killed or stopped leaves its sessions for PostgreSQL to notice; end them, or the
    # test database cannot be dropped.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = %s",
            [name, SERVER_APP],
        )


# The sessions of a server a module's tests share (`shared_server`): not a test's to end.
SHARED_APP = "seatmap-test-shared-server"


@pytest.fixture(scope="module")
def shared_server(django_db_setup, django_db_blocker):
    """One server process, as `stack_env` starts it, for the tests of a module that need no
    setting of their own: a start-up costs some 2.5 s of CPU. What it keeps is each test's own
    (events and users are new rows: the flush after a `transaction=True` test deletes, it does
    not reset the sequences)."""
    from django.db import connection

    from harness.servers import full_stack_env, running_server

    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    url = f"postgres://postgres@127.0.0.1:5432/{name}?application_name={SHARED_APP}"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited: many_open_files
    try:
        with running_server(full_stack_env(DATABASE_URL=url, REDIS_URL=settings.REDIS_URL)) as base:
            yield base
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND application_name = %s",
                [name, SHARED_APP],
            )


@pytest.fixture(autouse=True)
def frames_checked_against_the_protocol(monkeypatch):
    """Every text frame a test's socket receives is one the protocol's schema allows
    (realtime/protocol.schema.json), whichever client the test uses."""
    import json

    from channels.testing import WebsocketCommunicator
    from websockets.asyncio.connection import Connection

    from realtime.protocol import validator

    frames = validator()

    def checked(text):
        if isinstance(text, str | bytes) and text[:1] in ("{", b"{"):
            frames.validate(json.loads(text))
        return text

    recv, receive_from = Connection.recv, WebsocketCommunicator.receive_from

    async def checked_recv(self, *args, **kwargs):
        return checked(await recv(self, *args, **kwargs))

    async def checked_receive_from(self, *args, **kwargs):
        return checked(await receive_from(self, *args, **kwargs))

    monkeypatch.setattr(Connection, "recv", checked_recv)
    monkeypatch.setattr(WebsocketCommunicator, "receive_from", checked_receive_from)
