"""The database on the server's loop: one async psycopg pool per running loop, shared by
everything answered there (the booking fast path, fast.py, and an arrival's reads,
loop_reads.py), opened when first asked for.

The server has one loop for its life; tests start many, and a pool is bound to the loop it was
opened on, so a new loop gets a new pool.
"""

import asyncio

from django.conf import settings
from psycopg_pool import AsyncConnectionPool

from reservations.booking.locking import session_options
from reservations.database_pooler import sessions_kept, statements_prepared
from reservations.database_presence import driver_params

_pool: tuple[asyncio.AbstractEventLoop, AsyncConnectionPool, asyncio.Task] | None = None


def loop_database_enabled() -> bool:
    """Whether calls may be answered on the loop at all: PostgreSQL only (its async driver)."""
    return settings.ANSWER_ON_LOOP and settings.DATABASES["default"]["ENGINE"].endswith(
        "postgresql"
    )


async def loop_pool() -> AsyncConnectionPool:
    """The running loop's pool (FAST_PATH_DB_POOL_MAX connections, DB_POOL_TIMEOUT's wait)."""
    global _pool
    loop = asyncio.get_running_loop()
    if _pool is None or _pool[0] is not loop:
        pool = AsyncConnectionPool(
            "",
            # A read is one statement, one round trip: no BEGIN before it and no ROLLBACK when
            # the connection goes back. A write opens its transaction (`conn.transaction()`).
            kwargs={**loop_connection_params(), "autocommit": True},
            min_size=1,
            max_size=settings.FAST_PATH_DB_POOL_MAX,
            timeout=settings.DB_POOL_TIMEOUT,
            open=False,
        )
        # Callers arriving while it opens wait for the same opening.
        _pool = (loop, pool, loop.create_task(pool.open()))
    await _pool[2]
    return _pool[1]


async def close_loop_pool() -> None:
    """Close the running loop's pool, if it has one (a test's loop before it ends)."""
    global _pool
    if _pool is not None and _pool[0] is asyncio.get_running_loop():
        pool, _pool = _pool[1], None
        await pool.close()


def loop_connection_params() -> dict:
    """The parameters the loop's connections open with: Django's own
    (`get_connection_params()`: the database, user, host, port, and every OPTIONS entry such
    as `sslmode` from DATABASE_URL), so both paths reach the database the same way.

    Except prepare_threshold, which Django sets to None (no server-side prepared statements)
    unless OPTIONS sets it: the loop's statements are few and repeated, so they are prepared
    (psycopg's default: from a statement's fifth run on a connection), unless the operator's
    OPTIONS say otherwise or a transaction pooler is in front (database_pooler.py).

    And straight to PostgreSQL, the booking transactions' settings as the session's
    (booking/locking.py `session_options`: the timeouts, read when the pool opens, and a
    buyer's own call for the ledger), so a booking call sends none (`loop_sessions_said`). The
    timeouts bound the arrivals' reads too (loop_reads.py: one row each)."""
    params = driver_params()  # the steps adapt their values themselves: not Django's adapters
    if not statements_prepared(settings.DATABASE_POOLER):
        params["prepare_threshold"] = None
    elif params.get("prepare_threshold") is None:
        params.pop("prepare_threshold", None)
    if loop_sessions_said():
        params["options"] = f"{params.get('options', '')} {session_options()}".strip()
    return params


def loop_sessions_said() -> bool:
    """Whether the loop's connections open with the booking transactions' settings: only
    where a connection is one server session for its life (database_pooler.py)."""
    return sessions_kept(settings.DATABASE_POOLER)


def loop_pool_if_open() -> AsyncConnectionPool | None:
    """The running loop's pool if it was opened (its figures, pool_metrics.py); never opens it."""
    if _pool is not None and _pool[0] is asyncio.get_running_loop() and _pool[2].done():
        return _pool[1]
    return None
