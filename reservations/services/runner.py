"""The two drivers of step functions (holds.py): one on Django's connection, one on psycopg's
async connection. Each sends a step's statements in order and hands back their rows; neither
opens or commits the transaction (the caller does: all steps of a service are one)."""

from django.db import connection
from psycopg import AsyncCursor

from .sql import ROW_LOCK, Statement, Steps, T


def _text(statement: Statement, *, row_locks: bool) -> str:
    clause = ""
    if statement.lock_rows and row_locks:
        of = f" OF {statement.lock_of}" if statement.lock_of else ""
        clause = f" FOR UPDATE{of}{' SKIP LOCKED' if statement.skip_locked else ''}"
    if ROW_LOCK in statement.sql:
        return statement.sql.replace(ROW_LOCK, clause)
    return statement.sql + clause


def run(steps: Steps[T]) -> T:
    """Drive steps on Django's connection, inside the caller's transaction.atomic()."""
    # SQLite (the embedded default) has no FOR UPDATE: its write transactions are serial.
    row_locks = connection.features.has_select_for_update
    with connection.cursor() as cursor:
        try:
            statement = next(steps)
            while True:
                cursor.execute(_text(statement, row_locks=row_locks), statement.params)
                rows = cursor.fetchall() if cursor.description else []
                statement = steps.send(rows)
        except StopIteration as finished:
            return finished.value


async def run_async(steps: Steps[T], cursor: AsyncCursor) -> T:
    """Drive steps on a psycopg cursor (PostgreSQL), inside the caller's transaction."""
    try:
        statement = next(steps)
        while True:
            await cursor.execute(_text(statement, row_locks=True), statement.params)
            rows = await cursor.fetchall() if cursor.description else []
            statement = steps.send(rows)
    except StopIteration as finished:
        return finished.value
