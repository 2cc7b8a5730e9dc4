"""What a PostgreSQL connection may keep from one transaction to the next, by the pooler in
front of PostgreSQL (`DATABASE_POOLER`).

- `""` (the default): straight to PostgreSQL. A connection is one server session for its life,
  so what a transaction leaves on it is there for the next: psycopg prepares a statement run five
  times on it (the fast path's pool, reservations/api/loop_database.py, counts on that, and on
  the settings it opens with: booking/locking.py), and Django's `.iterator()` reads through a
  server-side cursor.
- `"transaction-prepared"`: PgBouncer 1.22 or later in transaction mode with
  `max_prepared_statements` above 0 (its default since 1.22; compose runs Debian 13's 1.24).
  PgBouncer keeps each client's protocol-level prepared statements and prepares them on
  whichever server connection a transaction runs on, so the fast path prepares as it does
  straight to PostgreSQL. Server-side cursors still end with their transaction: none are used.
- `"transaction"`: an older PgBouncer in transaction mode (Debian 12's 1.18). Each transaction
  runs on whichever server connection is free and PgBouncer keeps no prepared statement, so one
  prepared in a transaction is missing in the next (`prepared statement "_pg3_0" does not
  exist`) or is another client's of the same name (`... already exists`): nothing is prepared,
  and PostgreSQL plans every statement (BENCHMARKS.md: what that costs a hold).

The two paths apply the rule where they open connections: Django's DATABASES entry here
(`django_database`), the loop's pool in loop_database.py (`statements_prepared`,
`sessions_kept`).
"""

MODES = ("", "transaction-prepared", "transaction")


def _checked(pooler: str) -> str:
    if pooler not in MODES:
        raise ValueError(f"DATABASE_POOLER is one of {MODES}, not {pooler!r}")
    return pooler


def sessions_kept(pooler: str) -> bool:
    """Whether a connection is one server session for its life, so that what it sets when it
    opens holds for every transaction it runs."""
    return _checked(pooler) == ""


def statements_prepared(pooler: str) -> bool:
    """Whether a connection may prepare statements for the transactions after the one that
    made them."""
    return _checked(pooler) != "transaction"


def django_database(database: dict, pooler: str) -> dict:
    """Django's DATABASES entry as it must be behind `pooler`: through a transaction pooler, no
    server-side cursors; through one that keeps no prepared statements, none prepared (Django's
    own default, kept even if OPTIONS asks for them)."""
    if sessions_kept(pooler):
        return database
    database = {**database, "DISABLE_SERVER_SIDE_CURSORS": True}
    if statements_prepared(pooler):
        return database
    return {**database, "OPTIONS": {**database.get("OPTIONS", {}), "prepare_threshold": None}}
