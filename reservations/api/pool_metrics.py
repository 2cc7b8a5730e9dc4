"""The database pools' waits in the metrics (reservations/metrics.py `pool_*`).

psycopg's pools count their own requests, waits, time waited and timeouts (`pop_stats()`), for
Django's request threads and for the loop (fast.py, loop_reads.py) alike. Every
POOL_SAMPLE_SECONDS a task on the server's loop moves what they counted into the metrics, so
that no request pays for it and both pools are measured by one rule.
"""

import asyncio
import logging

from django.db import connections

from reservations.metrics import pool_sampled

from .loop_database import loop_pool_if_open

logger = logging.getLogger("reservations.api")

POOL_SAMPLE_SECONDS = 1.0


def pools_sample() -> None:
    # Django's pool is made on first use, per alias, for every thread (psycopg's ConnectionPool
    # is thread-safe); SQLite has none.
    django_pool = getattr(connections["default"], "pool", None)
    if django_pool is not None:
        pool_sampled("django", django_pool.pop_stats())
    if (loop_pool := loop_pool_if_open()) is not None:
        pool_sampled("loop", loop_pool.pop_stats())


async def pools_sampled_forever() -> None:
    while True:
        await asyncio.sleep(POOL_SAMPLE_SECONDS)
        try:
            pools_sample()
        except Exception as exc:  # a figure missed is no reason to stop the server's loop
            logger.warning("database pool figures not sampled: %s", exc)
