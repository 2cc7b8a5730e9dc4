"""The fast path's statements as PL/pgSQL functions, where no statement may be prepared
(PgBouncer in transaction mode: database_pooler.py).

Straight to PostgreSQL, psycopg prepares a statement from its fifth run on a connection and
PostgreSQL plans it once for that connection. Through a transaction pooler nothing may outlive
a transaction, so PostgreSQL parses and plans every statement of every click again: ~0.4 ms of
its CPU per hold and release, more than the rest of their work (BENCHMARKS.md, issue 26). A
PL/pgSQL function keeps the plans of its statements for the life of the server connection it
runs on, whichever client's transaction runs there next. So a statement run often enough is
sent as a call of a function whose body is that statement, with the same choice between a
plan per call and one kept plan that PostgreSQL makes for a prepared statement.

A statement becomes a function after STATEMENT_FUNCTION_RUNS runs on a process (5, as
psycopg's prepare_threshold). The function is made on a connection of its own, in the
background, and the statement runs as text until it is there: no booking waits for it (one
that held a pooled server connection while waiting for another to make the function could
starve the pool), and DDL inside a booking's transaction could fail the booking. The function is
named after a digest of its text and its types, so a changed statement (a rule of rules.py) or
a retyped column is a new function, never an old one. A process that meets a function of its
gone or returning other types (a DROP, a migration while it runs) sends the statement as text
until it has made the function anew, and the transaction that met it, which PostgreSQL rolled
back, runs again (`FunctionGone`): no booking fails for it. A statement whose types
PostgreSQL cannot tell from its text alone goes on as text; so does every new one once a
process has made MOST_FUNCTIONS (a statement whose text varies with its input, as a VALUES list
does, must not make a function per call).
"""

import asyncio
import hashlib
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable

from psycopg import Connection, Error, OperationalError, ProgrammingError, errors
from psycopg.pq import ExecStatus

from ..metrics import statement_function_outcomes

logger = logging.getLogger(__name__)

PREFIX = "seatmap_statement_"
MOST_FUNCTIONS = 200
MOST_COUNTED = 1000  # statements counted at once, toward a function

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def call(name: str, arguments: tuple[str, ...], types: tuple[str, ...]) -> str:
    """The text that runs a statement through its function, with the statement's parameters."""
    typed = ", ".join(f"%({a})s::{t}" for a, t in zip(arguments, types, strict=True))
    return f"SELECT * FROM {name}({typed})"


def positional(text: str) -> tuple[str, tuple[str, ...]]:
    """The text with its named parameters numbered ($1 for the first name, every time it comes),
    as PostgreSQL writes them in a function's body; and the names in that order."""
    names: list[str] = []

    def number(match: re.Match) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    return _PLACEHOLDER.sub(number, text).replace("%%", "%"), tuple(names)


def definition(
    name: str, body: str, types: tuple[str, ...], results: tuple[str, ...] | None
) -> str:
    """CREATE FUNCTION for one statement: its rows as the function's (none for a statement
    without any). Its columns are read by position, so their names only keep out of the
    statement's way; `use_column` makes a name the two share the table's column."""
    if results is None:
        returns, run = "SETOF boolean", f"{body};\n  RETURN;"
    else:
        columns = ", ".join(f"result_{n} {kind}" for n, kind in enumerate(results))
        returns, run = f"TABLE ({columns})", f"RETURN QUERY {body};"
    return (
        f"CREATE FUNCTION {name}({', '.join(types)}) RETURNS {returns} LANGUAGE plpgsql "
        f"AS $statement$\n#variable_conflict use_column\nBEGIN\n  {run}\nEND\n$statement$"
    )


def function_name(body: str, types: tuple[str, ...], results: tuple[str, ...] | None) -> str:
    digest = hashlib.sha256(repr((body, types, results)).encode()).hexdigest()
    return f"{PREFIX}{digest[:24]}"


# How a call of a statement's function fails where the statement would not: the function is gone
# (a database restored without it, a DROP), or returns other types than the table now has.
FUNCTION_FAILURES = (errors.UndefinedFunction, errors.DatatypeMismatch)


class FunctionGone(Exception):
    """A statement's function failed as only a function can (FUNCTION_FAILURES). Its statement
    is text again; the transaction it failed in wrote nothing, and is to run again from its
    first statement."""


class Untyped(ValueError):
    """A parameter PostgreSQL could tell no type of from the statement's text: it takes it for
    text, where the statement sent as text has the type of the value bound to it."""


def function_create(conn: Connection, text: str, params: dict) -> str:
    """The statement's function, created unless another process has (an autocommit `conn`);
    the text that calls it. `params`: the values of one run, whose types are checked against
    those PostgreSQL gives the function (Untyped)."""
    body, arguments = positional(text)
    with conn.transaction():  # one server connection throughout, behind a transaction pooler
        types, results = _types(conn, body)
    for argument, kind in zip(arguments, types, strict=True):
        if kind == "text" and not isinstance(params[argument], str):
            raise Untyped(f"{argument} would be text in {body}")
    name = function_name(body, types, results)
    with conn.transaction():
        # Two processes creating one function: the second waits, then finds it.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
        if conn.execute("SELECT 1 FROM pg_proc WHERE proname = %s", [name]).fetchone() is None:
            conn.execute(definition(name, body, types, results))
    return call(name, arguments, types)


def _types(conn: Connection, body: str) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
    """The types of the statement's parameters and of its rows' columns (None: it has no rows),
    as PostgreSQL describes the statement prepared (libpq's own describe: nothing is run)."""
    probe = f"seatmap_probe_{uuid.uuid4().hex}".encode()
    prepared = conn.pgconn.prepare(probe, body.encode())
    if prepared.status != ExecStatus.COMMAND_OK:
        raise ProgrammingError(prepared.get_error_message())
    try:
        described = conn.pgconn.describe_prepared(probe)
    finally:
        conn.execute(f"DEALLOCATE {probe.decode()}")
    params = [described.param_type(n) for n in range(described.nparams)]
    columns = [described.ftype(n) for n in range(described.nfields)] or None
    names = (
        conn.execute(
            "SELECT array_agg(format_type(t, NULL) ORDER BY n) FROM unnest(%s::oid[]) "
            "WITH ORDINALITY AS c (t, n)",
            [params + (columns or [])],
        ).fetchone()[0]
        or []
    )
    types, results = tuple(names[: len(params)]), tuple(names[len(params) :])
    return types, results if columns else None


def functions_drop(cursor) -> int:
    """Drop every statement's function in the database of `cursor` (a DB-API cursor on
    PostgreSQL) that its search path shows; how many. Functions of statements since changed stay
    behind otherwise. A running process that meets one of its own gone runs that transaction
    again (FunctionGone) and makes the function anew."""
    cursor.execute(
        "SELECT oid::regprocedure::text FROM pg_proc "
        "WHERE starts_with(proname, %s) AND pg_function_is_visible(oid)",
        [PREFIX],
    )
    # regprocedure's text: the name quoted as needed, with the argument types.
    names = [name for (name,) in cursor.fetchall()]
    if names:  # one statement: all of them or, should one fail, none
        cursor.execute(f"DROP FUNCTION IF EXISTS {', '.join(names)}")
    return len(names)


class StatementFunctions:
    """The functions one process sends its statements through, each made in the background
    (on a thread: libpq's describe blocks) once its statement has run `runs_before` times
    (`connect`: a new autocommit connection to make one on)."""

    def __init__(self, connect: Callable[[], Connection], *, runs_before: int):
        self._connect = connect
        self._runs_before = runs_before
        self._runs: Counter[str] = Counter()
        self._made: dict[str, str | None] = {}  # each statement's call; None: it stays text
        self._making: dict[str, asyncio.Task] = {}

    def sent(self, text: str, params: dict) -> tuple[str, dict]:
        """What to send for the statement: its function's call once it has one, else its text."""
        if text in self._made:
            return self._made[text] or text, params
        counted = text in self._runs or len(self._runs) < MOST_COUNTED
        if counted and len(self._made) < MOST_FUNCTIONS and text not in self._making:
            self._runs[text] += 1
            if self._runs[text] >= self._runs_before:
                task = asyncio.get_running_loop().create_task(self._make(text, params))
                self._making[text] = task
                task.add_done_callback(lambda _: self._making.pop(text, None))
        return text, params

    def forget(self, text: str) -> None:
        """The statement's function failed as a function can, not as the statement would (it
        was dropped, or a migration retyped what it returns): the statement is text again, and
        gets a function anew once it has run as often again."""
        self._made.pop(text, None)

    async def _make(self, text: str, params: dict) -> None:
        try:
            made = await asyncio.to_thread(self._create, text, params)
        except OperationalError:
            self._runs[text] = 0  # the database is away: try again after as many runs
            return
        except (Error, Untyped) as error:
            # No function for it (its types are not in its text, or no right to create one):
            # it stays text, as it runs correctly either way.
            logger.warning("statement stays text: %s", error)
            made = None
        statement_function_outcomes.labels("text" if made is None else "made").inc()
        self._made[text] = made
        self._runs.pop(text, None)

    def _create(self, text: str, params: dict) -> str:
        with self._connect() as conn:
            return function_create(conn, text, params)
