"""The two drivers of step functions (holds.py): one on Django's connection, one on psycopg's
async connection. Each sends a step's statements in order and hands back their rows, inside
one transaction for all steps of a call: the caller's on Django's connection
(`run_and_announce`, the one way Django's path runs a booking call); on psycopg's, one
`run_async` opens with the first statements and commits with the last write (`sql.Ending`)
where it can, or leaves to the caller.

The async driver speaks to libpq's pipeline mode itself (`_sent_together`), through psycopg's
own query conversion and prepared-statement cache: psycopg 3.3's internals (pinned in
requirements.txt), which the fast path's tests exercise on every statement it sends."""

from django.db import connection, transaction
from psycopg import AsyncConnection, errors, generators
from psycopg._preparing import Prepare
from psycopg._queries import PostgresQuery
from psycopg.abc import PQGen
from psycopg.adapt import Transformer
from psycopg.pq import ExecStatus, TransactionStatus
from psycopg.pq.abc import PGresult

from ..signals import bookings_changed_on_commit, door_changed_on_commit, seats_changed_on_commit
from .locking import LockOrder, LockOrderBroken, transaction_settings
from .sql import ROW_LOCK, Ending, Rows, Statement, Steps, T, Table, Together

IDLE = TransactionStatus.IDLE


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
                ending = isinstance(sent, Ending)
                if ending:  # the caller's transaction.atomic() commits, after the steps
                    sent = sent.sent
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
                if ending and not rows:  # the steps take again the locks they hold
                    locks = LockOrder(locks.in_transaction)
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


async def run_async(
    steps: Steps[T],
    connection: AsyncConnection,
    *,
    begin: bool = False,
    settings_sent: bool = False,
) -> T:
    """Drive steps on a psycopg connection (PostgreSQL). `begin`: open the transaction with the
    first statements and commit it with an `Ending` that returns rows (the caller commits it
    otherwise, or rolls it back), with its settings unless the connection's session has them
    (`settings_sent`, locking.py `transaction_settings`); else inside the caller's transaction,
    or none. Each step's statements, and the BEGIN before the first, go in one write and one
    round trip (`_sent_together`)."""
    info = connection.info
    settings = transaction_settings(session_said=settings_sent) if begin else None
    opening = [("BEGIN", {}), *([_rendered(settings, postgres=True)] if settings else [])]
    settings_sent = settings_sent or begin
    queries: list[tuple[str, dict]] = list(opening) if begin else []
    locks = LockOrder(lambda: begin or info.transaction_status != IDLE)
    try:
        sent = next(steps)
        while True:
            ending = isinstance(sent, Ending) and begin
            if isinstance(sent, Ending):
                sent = sent.sent
            if isinstance(sent, Together):
                sent = sent.merged(_locked_text)
            for statement in (sent,) if isinstance(sent, Statement) else sent:
                if locks.take(statement.lock, sql=statement.sql) and not settings_sent:
                    queries.append(_rendered(transaction_settings(), postgres=True))
                queries.append(_rendered(statement, postgres=True))
            rows = await _sent_together(connection, [*queries, *([_COMMIT] if ending else [])])
            queries = []
            if ending and rows:
                steps.send(rows)
                raise LockOrderBroken("A step went on after its Ending wrote.")
            if ending:  # committed: a new transaction, whose locks are taken again
                queries, locks = list(opening), LockOrder(locks.in_transaction)
            sent = steps.send(rows)
    except StopIteration as finished:
        return finished.value


_COMMIT = ("COMMIT", {})


async def _sent_together(connection: AsyncConnection, queries: list[tuple[str, dict]]) -> Rows:
    """Send these statements and a Sync in one write, in libpq's pipeline mode; the rows of the
    last one but a COMMIT. psycopg's own pipeline writes each statement, and the Sync, to the
    socket on its own, and a write that wakes PostgreSQL is the dearest part of a hold left
    (BENCHMARKS.md). Each is prepared, or not, by psycopg's own rules and cache for the
    connection, as its cursor would (which a rollback empties: DEALLOCATE ALL)."""
    pgconn, tx, prepared = connection.pgconn, Transformer(connection), connection._prepared
    sent = []  # each statement's: its key if new to the cache, its Prepare, its name
    async with connection.lock:
        pgconn.enter_pipeline_mode()
        try:
            for text, params in queries:
                query = PostgresQuery(tx)
                query.convert(text, params)
                prep, name = prepared.get(query)
                if prep is Prepare.SHOULD:
                    pgconn.send_prepare(name, query.query, param_types=query.types)
                if prep is Prepare.NO:
                    pgconn.send_query_params(
                        query.query,
                        query.params,
                        param_formats=query.formats,
                        param_types=query.types,
                    )
                else:
                    pgconn.send_query_prepared(name, query.params, param_formats=query.formats)
                sent.append((prepared.maybe_add_to_cache(query, prep, name), prep, name))
            pgconn.pipeline_sync()
            results = await connection.wait(_exchanged(pgconn))
            pgconn.exit_pipeline_mode()
        except BaseException:
            await connection.close()  # its state unknown: the pool opens another
            raise
        place, ran = 0, []  # each statement's results' place
        for key, prep, name in sent:
            place += prep is Prepare.SHOULD  # the PREPARE's result
            if key is not None:
                prepared.validate(key, prep, name, results[place])
            ran.append(place)
            place += 1
        failed = [r for r, *_ in results if r.status == ExecStatus.FATAL_ERROR]
        if failed:  # a PREPARE the error skipped may be in the cache: empty it, and the server
            prepared.clear()
        if prepared._to_flush and (not failed or pgconn.transaction_status == IDLE):
            await connection.wait(prepared.maintain_gen(connection))  # else the rollback does
    if failed:
        raise errors.error_from_result(failed[0], encoding=connection.info.encoding)
    last = results[ran[-2 if queries[-1] is _COMMIT else -1]][-1]
    tx.set_pgresult(last)
    return tx.load_rows(0, last.ntuples, tuple) if last.nfields else []


def _exchanged(pgconn) -> PQGen[list[list[PGresult]]]:
    """Flush what is queued, then each statement's results, until the Sync's."""
    yield from generators.send(pgconn)
    results: list[list[PGresult]] = []
    while not results or results[-1][0].status != ExecStatus.PIPELINE_SYNC:
        results.append((yield from generators.fetch_many(pgconn)))
    return results
