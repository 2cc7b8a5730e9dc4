"""The tests' PgBouncer (harness/pgbouncer.py): a real one, pooling as it is told, in front of
the test run's PostgreSQL, and back on the same address after a crash."""

import os
from urllib.parse import urlsplit

import psycopg
import pytest

from harness.pgbouncer import pgbouncer_in_front_of

# PostgreSQL's maintenance database: the one every server has, whether or not the run's own
# database (DATABASE_URL names it; the tests use test_<name>) was ever created.
DATABASE_URL = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()


def server_connection_of_each_transaction(url: str) -> tuple[int, int]:
    """The server connection (PostgreSQL's backend pid) of a client's two transactions, with
    another client in a transaction in between."""
    with psycopg.connect(url, autocommit=True) as client, psycopg.connect(url) as other:
        (first,) = client.execute("SELECT pg_backend_pid()").fetchone()
        other.execute("SELECT 1")  # opens a transaction, on a server connection of its own
        (second,) = client.execute("SELECT pg_backend_pid()").fetchone()
        other.rollback()
    return first, second


@pytest.mark.parametrize("pool_mode, same", [("transaction", False), ("session", True)])
def test_it_pools_in_the_mode_it_is_told(pool_mode, same):
    with pgbouncer_in_front_of(DATABASE_URL, pool_mode=pool_mode) as bouncer:
        first, second = server_connection_of_each_transaction(bouncer.url)

    assert (first == second) is same


def test_killed_and_started_again_it_serves_on_the_same_address():
    with pgbouncer_in_front_of(DATABASE_URL) as bouncer:
        client = psycopg.connect(bouncer.url, autocommit=True)
        bouncer.kill()
        with pytest.raises(psycopg.OperationalError):
            client.execute("SELECT 1")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(bouncer.url, connect_timeout=2)

        bouncer.start()

        with psycopg.connect(bouncer.url, autocommit=True) as again:
            assert again.execute("SELECT 1").fetchone() == (1,)
