"""Whether the database that DATABASE_URL names exists, said in one line before anything waits
on it.

Django's connection pool hides why a connection failed: a database that was never created shows
only as "couldn't get a connection after 3.00 sec". `migrate`, the server and the sweeper ask
here first, with one plain connection, and stop with a line that says what to do;
`manage.py createdb` creates it (config/run-full-stack.sh runs it). Any other
failure (PostgreSQL not up yet, a restart) is left to the pools, which answer 503 and retry.
"""

import re

import psycopg
from django.db import connections
from psycopg import sql

# PostgreSQL's words (FATAL, SQLSTATE 3D000, which psycopg does not expose at connect) and
# PgBouncer's for a database missing from its [databases].
_MISSING = re.compile(r'database "[^"]*" does not exist|no such database')


def missing_database_message(alias: str = "default") -> str | None:
    """The line to stop with when the database does not exist; None when it does, when it is
    not PostgreSQL, or when the failure is another one."""
    if connections[alias].vendor != "postgresql":
        return None
    params = driver_params(alias)
    try:
        psycopg.connect(**params, connect_timeout=5).close()
    except psycopg.OperationalError as failure:
        if _MISSING.search(str(failure)):
            return _advice(params)
    return None


def database_created(alias: str = "default") -> bool:
    """Create the database DATABASE_URL names when it does not exist (`manage.py createdb`);
    whether it did. Asked of PostgreSQL's maintenance database `postgres`, as `createdb` does."""
    if missing_database_message(alias) is None:
        return False
    params = driver_params(alias)
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as maintenance:
        maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))
    return True


def driver_params(alias: str = "default") -> dict:
    """Django's parameters for a psycopg connection of one's own: all but what its backend alone
    uses (its cursor class and adapters)."""
    params = connections[alias].get_connection_params()
    return {k: v for k, v in params.items() if k not in ("cursor_factory", "context")}


def _advice(params: dict) -> str:
    name, host, port = params["dbname"], params.get("host") or "localhost", params.get("port")
    where = f"{host}:{port}" if port else host
    command = ["createdb", "-h", host]
    if port:
        command += ["-p", str(port)]
    if params.get("user"):
        command += ["-U", params["user"]]
    command.append(name)
    return (
        f"The database {name} does not exist on {where}: create it with "
        f"`python manage.py createdb` (or `{' '.join(command)}`), then run `manage.py migrate`."
    )
