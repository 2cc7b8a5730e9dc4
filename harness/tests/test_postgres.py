"""The tests' own PostgreSQL (harness/postgres.py): made afresh, and after a crash back on the
same address with what was committed before it."""

import psycopg
import pytest

from harness.postgres import private_postgres


def test_stopped_at_once_and_started_again_it_keeps_what_was_committed():
    with private_postgres() as postgres:
        url = postgres.create_database("kept")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (n int)")
            conn.execute("INSERT INTO t VALUES (1)")
            postgres.stop("immediate")
            with pytest.raises(psycopg.OperationalError):
                conn.execute("SELECT 1")

        postgres.start()

        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT n FROM t").fetchall() == [(1,)]
