"""Test set-up shared by every app: the real PostgreSQL and Redis must be there.

The suite never falls back to SQLite or skips: if a service is down it stops at once and says
how to start it.
"""

import os
from urllib.parse import urlsplit

import pytest

from harness.scheduling import LoadTesterOnOneWorker

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'
    " --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def pytest_configure(config):
    import psycopg
    import redis

    import config.settings_test  # noqa: F401  (sets the URLs' defaults)

    database_url = os.environ["DATABASE_URL"]
    # pytest-django creates the test database itself: ask the server's own database.
    server_url = urlsplit(database_url)._replace(path="/postgres").geturl()
    try:
        psycopg.connect(server_url, connect_timeout=3).close()
    except psycopg.Error as exc:
        pytest.exit(
            f"PostgreSQL is not reachable at {database_url} ({exc}).\n"
            f"Start it with:  {START_POSTGRES}\n(or `docker compose up -d postgres`)",
            returncode=3,
        )
    redis_url = os.environ["REDIS_URL"]
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.exit(
            f"Redis is not reachable at {redis_url} ({exc}).\nStart it with:  {START_REDIS}\n"
            "(or `docker compose up -d redis`)",
            returncode=3,
        )


@pytest.fixture(scope="session", autouse=True)
def test_database_left_alone_at_the_end(django_db_setup, django_db_blocker):
    """A server process a test started may still be closing its connections when the run ends,
    and a database with sessions cannot be dropped (the next run could not make it afresh):
    end them before pytest-django drops it."""
    yield
    from django.db import DatabaseError, connection

    try:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    except DatabaseError:
        pass  # a run of pure tests never reached the test database: nothing to end


@pytest.fixture(scope="session", autouse=True)
def tables_emptied_by_delete():
    """A test with `transaction=True` (some 430 of them) ends with a flush of every table, and
    PostgreSQL's TRUNCATE of 33 tables took 0.1-1 s each time (new files for each, synced),
    where a DELETE of a test's few rows takes milliseconds. Every foreign key Django makes on
    PostgreSQL is deferrable (and no trigger fires on DELETE), so the order does not matter. The
    ANALYZE after it: planned on the statistics of an earlier test's rows, a 3,000-seat block
    outlasted the clicks' lock timeout (test_categories.py)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        deletes = [f"DELETE FROM {self.quote_name(table)};" for table in tables]
        analyze = "ANALYZE " + ", ".join(self.quote_name(table) for table in tables) + ";"
        return ["SET CONSTRAINTS ALL DEFERRED;", *deletes, analyze]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """The load tester's modules on one worker (harness/scheduling.py)."""
    if config.getoption("dist") == "loadfile":
        return LoadTesterOnOneWorker(config, log)
    return None
