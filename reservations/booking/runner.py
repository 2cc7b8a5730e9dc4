"""The two drivers of step functions (holds.py): one on Django's connection, one on psycopg's
async connection. Each sends a step's statements in order and hands back their rows; neither
opens or commits the transaction (the caller does: all steps of a service are one), but for
`run_and_announce`, the one way Django's path runs a booking call."""

from datetime import timedelta

from django.db import connection, transaction
from psycopg import AsyncClientCursor, AsyncConnection, AsyncCursor
from psycopg.pq import TransactionStatus

from ..signals import bookings_changed_on_commit, door_changed_on_commit, seats_changed_on_commit
from .locking import LockOrder, transaction_settings
from .sql import ROW_LOCK, Rows, Statement, Steps, T, Table, Together

MICROSECOND = timedelta(microseconds=1)


def _text(statement: Statement, *, row_locks: bool) -> str:
    text = statement.sql if row_locks or not statement.sqlite_sql else statement.sqlite_sql
    clause = ""
    if statement.lock_rows and row_locks:
        of = f" OF {statement.lock_of}" if statement.lock_of else ""
        clause = f" FOR UPDATE{of}{' SKIP LOCKED' if statement.skip_locked else ''}"
    if ROW_LOCK in text:
        return text.replace(ROW_LOCK, clause)
    return text + clause


def _locked_text(statement: Statement) -> str:
    return _text(statement, row_locks=True)


def _rendered(statement: Statement, *, postgres: bool) -> tuple[str, dict]:
    """The statement's text and parameters for the database: row locks where it has them
    (PostgreSQL), each ``sql.Table`` parameter as arrays (PostgreSQL: a table of one column
    after IN as ``= ANY(array)``) or a VALUES list."""
    text = _text(statement, row_locks=postgres)
    params = statement.params
    if not postgres and any(isinstance(v, timedelta) for v in params.values()):
        # SQLite's date arithmetic (Django's django_format_dtdelta) takes microseconds.
        params = {k: v // MICROSECOND if isinstance(v, timedelta) else v for k, v in params.items()}
    tables = [name for name, value in params.items() if isinstance(value, Table)]
    if not tables:
        return text, params
    params = dict(params)
    for name in tables:
        table = params.pop(name)
        if postgres:
            arrays = [f"%({name}__{n})s::{kind}[]" for n, kind in enumerate(table.columns)]
            columns = list(zip(*table.rows, strict=True)) or [()] * len(table.columns)
            params.update({f"{name}__{n}": list(values) for n, values in enumerate(columns)})
            if len(arrays) == 1:  # the planner takes `= ANY` as an index condition
                text = text.replace(f"IN (%({name})s)", f"= ANY({arrays[0]})")
            sql = f"SELECT * FROM unnest({', '.join(arrays)})"
        elif table.rows:
            values = []
            for r, row in enumerate(table.rows):
                params.update({f"{name}__{r}_{n}": value for n, value in enumerate(row)})
                values.append(f"({', '.join(f'%({name}__{r}_{n})s' for n in range(len(row)))})")
            sql = f"VALUES {', '.join(values)}"
        else:
            sql = f"SELECT {', '.join('NULL' for _ in table.columns)} WHERE 1 = 0"
        text = text.replace(f"%({name})s", sql)
    return text, params


def run(steps: Steps[T]) -> T:
    """Drive steps on Django's connection, inside the caller's transaction.atomic()."""
    # SQLite (the embedded default) has no FOR UPDATE (its write transactions are serial),
    # nor arrays.
    postgres = connection.vendor == "postgresql"
    locks = LockOrder(lambda: connection.in_atomic_block)
    with connection.cursor() as cursor:
        try:
            sent = next(steps)
            while True:
                rows: Rows = []
                if isinstance(sent, Together):
                    sent = sent.merged(_locked_text) if postgres else sent.statements
                for statement in (sent,) if isinstance(sent, Statement) else sent:
                    if locks.take(statement.lock, sql=statement.sql) and postgres:
                        cursor.execute(*_rendered(transaction_settings(), postgres=True))
                    if statement.postgres_only and not postgres:
                        rows = []
                        continue
                    cursor.execute(*_rendered(statement, postgres=postgres))
                    rows = cursor.fetchall() if cursor.description else []
                sent = steps.send(rows)
        except StopIteration as finished:
            return finished.value


def run_and_announce(steps: Steps[T]) -> T:
    """Drive a booking call's steps in one transaction on Django's connection; its changed
    seats (`changed`, of the outcome's `event_id`) are announced once that commits, a reserve's
    or cancel's `buyer` is told of their bookings (a hold's outcome names none), and the door of
    its tickets (`door_news`)."""
    with transaction.atomic():
        outcome = run(steps)
        if outcome.changed:
            seats_changed_on_commit(event_id=outcome.event_id, seats=outcome.changed)
        bookings_changed_on_commit(accounts=[getattr(outcome, "buyer", None)])
        if news := door_news(outcome):
            door_changed_on_commit(event_id=outcome.event_id, **news)
    return outcome


def door_news(outcome) -> dict:
    """What the door's watchers hear of an outcome: a cancel's revoked tickets, a scan's gate
    counts; nothing from the rest."""
    news = {"revoked": getattr(outcome, "revoked", ()), "gates": getattr(outcome, "gates", None)}
    return {name: value for name, value in news.items() if value}


async def begin(connection: AsyncConnection, *, session_said: bool) -> None:
    """BEGIN, and the transaction's settings unless the connection's session has them
    (locking.py `transaction_settings`): then in the same round trip, one simple-protocol query
    of two statements, its values bound by psycopg on the client. A hold is four round trips; a
    fifth of its own for the settings was the regression of BENCHMARKS.md's run 1 (issues
    36-38)."""
    settings = transaction_settings(session_said=session_said)
    if settings is None:
        await connection.execute("BEGIN")
    else:
        await AsyncClientCursor(connection).execute(f"BEGIN; {settings.sql}", settings.params)


async def run_async(steps: Steps[T], cursor: AsyncCursor, *, settings_sent: bool = False) -> T:
    """Drive steps on a psycopg cursor (PostgreSQL), inside the caller's transaction;
    `settings_sent`: the caller began it with its settings (`begin`). Statements yielded
    together go in one pipeline: one round trip."""
    info = cursor.connection.info
    locks = LockOrder(lambda: info.transaction_status != TransactionStatus.IDLE)
    try:
        sent = next(steps)
        while True:
            if isinstance(sent, Together):
                sent = sent.merged(_locked_text)
            if not isinstance(sent, Statement):  # a tuple of them (a Statement is a tuple too)
                rows = await _pipelined(sent, cursor, locks, settings_sent=settings_sent)
            else:
                if locks.take(sent.lock, sql=sent.sql) and not settings_sent:
                    await cursor.execute(*_rendered(transaction_settings(), postgres=True))
                await cursor.execute(*_rendered(sent, postgres=True))
                rows = await _rows(cursor)
            sent = steps.send(rows)
    except StopIteration as finished:
        return finished.value


async def _rows(cursor: AsyncCursor) -> Rows:
    # Whether it returned rows: `description` would build a Column per field, ~20 us for a
    # seat row's, on every statement of every hold.
    return await cursor.fetchall() if cursor.rownumber is not None else []


async def _pipelined(
    statements: tuple[Statement, ...], cursor: AsyncCursor, locks: LockOrder, *, settings_sent: bool
) -> Rows:
    """Send these statements in one pipeline; the last one's rows."""
    conn = cursor.connection
    cursors = []
    async with conn.pipeline():
        for statement in statements:
            if locks.take(statement.lock, sql=statement.sql) and not settings_sent:
                await conn.execute(*_rendered(transaction_settings(), postgres=True))
            cursors.append(await conn.execute(*_rendered(statement, postgres=True)))
    return await _rows(cursors[-1])
