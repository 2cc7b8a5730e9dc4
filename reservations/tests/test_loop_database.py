"""The database on the server's loop (reservations/api/loop_database.py)."""

import asyncio

import pytest
from django.db import connection
from psycopg.conninfo import conninfo_to_dict

from reservations.api.loop_database import close_loop_pool, loop_pool

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_loops_connections_open_with_djangos_parameters(monkeypatch):
    # OPTIONS come from DATABASE_URL's query (`?sslmode=require` in production): a connection
    # without them would skip the TLS Django's own connections use.
    options = connection.settings_dict["OPTIONS"]
    monkeypatch.setitem(options, "sslmode", "disable")
    monkeypatch.setitem(options, "application_name", "seatmap-loop-test")

    async def opened():
        try:
            pool = await loop_pool()
            async with pool.connection() as conn:
                cursor = await conn.execute(
                    "SELECT current_database(), current_user, current_setting('application_name')"
                )
                return conninfo_to_dict(conn.info.dsn), await cursor.fetchone()
        finally:
            await close_loop_pool()

    dsn, (database, user, application_name) = asyncio.run(opened())

    django = connection.get_connection_params()
    assert (database, application_name) == (django["dbname"], "seatmap-loop-test")
    assert user == django.get("user", user)
    assert dsn["sslmode"] == "disable"
    assert dsn["client_encoding"] == django["client_encoding"]


def test_the_loops_pool_opens_and_closes_with_the_servers_lifespan():
    from config.asgi import application
    from reservations.api import loop_database

    async def lifespan():
        messages = asyncio.Queue()
        sent = asyncio.Queue()
        server = asyncio.create_task(
            application({"type": "lifespan", "asgi": {"version": "3.0"}}, messages.get, sent.put)
        )
        await messages.put({"type": "lifespan.startup"})
        started = await sent.get()
        pool = loop_database._pool[1] if loop_database._pool else None
        opened = pool is not None and not pool.closed
        await messages.put({"type": "lifespan.shutdown"})
        stopped = await sent.get()
        await server
        return started["type"], opened, stopped["type"], pool is not None and pool.closed

    assert asyncio.run(lifespan()) == (
        "lifespan.startup.complete",
        True,
        "lifespan.shutdown.complete",
        True,
    )
