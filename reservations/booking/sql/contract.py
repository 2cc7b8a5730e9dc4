"""What a step function and a runner agree on: a statement, a table parameter, the rows.

A statement that takes row locks says so in ``lock_rows`` rather than in its text: the runner
adds ``FOR UPDATE`` where the database has it (PostgreSQL) and leaves it out where write
transactions are serial anyway (SQLite, the embedded default). Parameters are named
(``%(user_id)s``), so a value used twice is passed once.
"""

from collections.abc import Generator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from enum import IntEnum
from typing import Any, NamedTuple, TypeVar


class Rank(IntEnum):
    """A lock's place in the one lock order (locking.py says why this one)."""

    BEST_BATCH_TURN = 1
    CALLER = 2
    ADDRESS = 3  # the client network's holds of the event (rules.py "Holds per address")
    BOOKING = 4  # an Idempotency-Key, a reservation and its booked seats
    SEATS = 5
    QUEUE_PLACE = 6  # a waiting room's place, whose turn a reserve ends
    GATE = 7  # a door's check-in (its nonce) and its gate's count, after the ticket's row


class Statement(NamedTuple):
    sql: str
    params: dict[str, Any]
    lock_rows: bool = False  # add FOR UPDATE where the database has row locks
    skip_locked: bool = False  # ... and SKIP LOCKED: leave out rows another transaction holds
    lock_of: str = ""  # ... of this table alias only (FOR UPDATE OF), when not every table's
    # A lock PostgreSQL takes between processes; elsewhere (SQLite, whose write transactions
    # are serial) the statement is not sent and has no rows.
    postgres_only: bool = False
    # The rank in the lock order of the locks it takes (locking.py); None: it takes none, or
    # only rows its transaction has locked already.
    lock: Rank | None = None
    # The text for SQLite, where it must differ (no advisory locks: caller_lock); "": `sql`.
    sqlite_sql: str = ""


# Where the row lock goes in a statement that takes it in a subquery, not at its end.
ROW_LOCK = "/* row lock */"


class Table(NamedTuple):
    """Rows passed as one parameter, which the statement reads as a table: `%(name)s` where a
    subquery may stand (``IN (%(name)s)``, ``WITH t (a, b) AS (%(name)s)``). On PostgreSQL
    they go as one array per column, so the statement's text is the same however many rows
    it has: psycopg converts a text with hundreds of placeholders in milliseconds, and does not
    cache or prepare it. Elsewhere (SQLite) they go as a VALUES list. The runner renders it."""

    columns: tuple[str, ...]  # each column's PostgreSQL type, in order
    rows: Sequence[tuple]


# The largest id a row can have (bigint).
ID_MAX = 2**63 - 1


def id_table(ids: Sequence[int]) -> Table:
    """Ids as one table parameter: `IN (%(name)s)` in the statement. An id past bigint can be
    no row's (a body may name one): it is left out, as the array would not take it, so the
    statement finds no row for it."""
    return Table(("bigint",), [(i,) for i in ids if i <= ID_MAX])


class Together(NamedTuple):
    """Writes of one transaction sent as one statement where the database can (PostgreSQL: the
    first ones as the data-modifying statements of a WITH, the last its own), one after the
    other elsewhere (SQLite). None reads what another writes; their parameters are shared by
    name. The step is sent the last one's rows."""

    statements: tuple[Statement, ...]

    def merged(self, text_of) -> Statement:
        """The one statement (PostgreSQL), each part's text made by `text_of` (the runner's)."""
        if len(self.statements) == 1:
            return self.statements[0]
        params: dict[str, Any] = {}
        for statement in self.statements:
            for name, value in statement.params.items():
                if params.setdefault(name, value) != value:
                    raise ValueError(f"Writes sent together differ on {name}.")
        *first, last = self.statements
        parts = ", ".join(f"w{n} AS ({text_of(s)})" for n, s in enumerate(first))
        ranks = [s.lock for s in self.statements if s.lock is not None]
        return Statement(f"WITH {parts} {text_of(last)}", params, lock=max(ranks, default=None))


class Ending(NamedTuple):
    """A call's last write (or the statements sent with it: a tuple), if it returns rows: the
    step returns as soon as it is sent them. A runner that holds the transaction commits it in
    the same round trip (the loop's). When the write returns none, the transaction is over
    wherever the runner committed it, so what went before it must have written nothing, and
    the step goes on by taking its locks again from the first."""

    sent: "Statement | tuple[Statement, ...]"


Rows = list[tuple]
T = TypeVar("T")
# A step function (holds.py, bookings.py): yields statements, is sent each one's rows, returns a
# T. It may yield several statements as a tuple, to be sent in one round trip where the runner
# can (each still takes its own snapshot): it is sent the last one's rows; or writes `Together`;
# or its last write, `Ending`.
Steps = Generator[Statement | tuple[Statement, ...] | Together | Ending, Rows, T]


def moment_of(value: datetime | str | None) -> datetime | None:
    """A time a bare cursor gave, made aware and in UTC: SQLite's is naive UTC (text for an
    expression), PostgreSQL's a datetime in the session's zone (the loop's is the server's)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return None if value is None else value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)


def amount_of(value) -> Decimal:
    """A money column a bare cursor gave, as a Decimal: SQLite's is a number."""
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.01"))
