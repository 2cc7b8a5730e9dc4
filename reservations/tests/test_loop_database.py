"""The database on the server's loop (reservations/api/loop_database.py)."""

import asyncio

import pytest
from django.db import connection
from psycopg.conninfo import conninfo_to_dict

from reservations.api.loop_database import close_loop_pool, loop_connection_params, loop_pool

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


@pytest.mark.parametrize(
    "pooler, threshold",
    [("", "psycopg's"), ("transaction-prepared", "psycopg's"), ("transaction", None)],
)
def test_the_loops_connections_prepare_statements_unless_the_pooler_between_keeps_none(
    settings, pooler, threshold
):
    # psycopg prepares from a statement's fifth run when not told (its default); behind an old
    # PgBouncer in transaction mode the next run may be on another server connection, where
    # the statement was never prepared.
    settings.DATABASE_POOLER = pooler

    params = loop_connection_params()

    assert params.get("prepare_threshold", "psycopg's") == threshold


SAID = (
    "SELECT current_setting('lock_timeout'), current_setting('statement_timeout'),"
    " current_setting('seatmap.via', true)"
)


def test_straight_to_postgresql_the_loops_connections_open_with_the_booking_settings(settings):
    # Read when the pool opens: a server started with DB_LOCK_TIMEOUT=0.5 has its own.
    settings.DB_LOCK_TIMEOUT = 0.5

    async def said():
        try:
            pool = await loop_pool()
            async with pool.connection() as conn:
                return await (await conn.execute(SAID)).fetchone()
        finally:
            await close_loop_pool()

    assert asyncio.run(said()) == ("500ms", "5s", "online")
    with connection.cursor() as cursor:  # Django's, for migrations and exports: none of them
        cursor.execute(SAID)
        assert cursor.fetchone()[:2] == ("0", "0")


@pytest.mark.parametrize("pooler", ["transaction-prepared", "transaction"])
def test_behind_a_transaction_pooler_the_loops_connections_open_with_no_settings(settings, pooler):
    # Each transaction runs on whichever server connection PgBouncer has free, whose session
    # is not this connection's: every booking transaction sends its own (test_races.py's
    # fast-pgbouncer path waits no longer than DB_LOCK_TIMEOUT all the same).
    settings.DATABASE_POOLER = pooler

    assert "options" not in loop_connection_params()
