"""What a PostgreSQL connection may keep from one transaction to the next, by the pooler in
front of PostgreSQL (`DATABASE_POOLER`).

- `""` (the default): straight to PostgreSQL. A connection is one server session for its life,
  so what a transaction leaves on it is there for the next: psycopg prepares a statement run five
  times on it (the fast path's pool, reservations/api/loop_database.py, counts on that), and
  Django's `.iterator()` reads through a server-side cursor.
- `"transaction"`: PgBouncer in transaction mode. Each transaction runs on whichever server
  connection is free, so nothing may outlive a transaction: a statement prepared in one is
  missing in the next (`prepared statement "_pg3_0" does not exist`) or is another client's of
  the same name (`... already exists`), and a server-side cursor is gone with its transaction.
  Debian 12's PgBouncer (1.18) cannot carry prepared statements across (1.21 and later can,
  with `max_prepared_statements`). The fast path sends its statements through PL/pgSQL
  functions there instead, whose plans a server connection keeps
  (services/statement_functions.py).

The two paths apply the rule where they open connections: Django's DATABASES entry here
(`django_database`), the loop's pool in loop_database.py (`statements_prepared`).
"""

MODES = ("", "transaction")


def statements_prepared(pooler: str) -> bool:
    """Whether a connection may prepare statements (and keep any other session state) for the
    transactions after the one that made them."""
    if pooler not in MODES:
        raise ValueError(f"DATABASE_POOLER is one of {MODES}, not {pooler!r}")
    return pooler == ""


def django_database(database: dict, pooler: str) -> dict:
    """Django's DATABASES entry as it must be behind `pooler`: through a transaction pooler, no
    server-side cursors and no prepared statements (Django's own default, kept even if
    OPTIONS asks for them)."""
    if statements_prepared(pooler):
        return database
    options = {**database.get("OPTIONS", {}), "prepare_threshold": None}
    return {**database, "DISABLE_SERVER_SIDE_CURSORS": True, "OPTIONS": options}
