"""PgBouncer in front of a PostgreSQL, for the tests and the test stacks: Debian's `pgbouncer`
(`make pgbouncer` installs it), a process of their own with its own ini file on a free port,
never the machine's service.

    with pgbouncer_in_front_of(database_url) as bouncer:
        ...  # serve with DATABASE_URL=bouncer.url, DATABASE_POOLER=transaction
        bouncer.kill()  # as a crash: every client connection is cut
        bouncer.start()  # again, on the same port

What the ini says, and why:
- `pool_mode = transaction`, `default_pool_size = 4`: few server connections for many clients,
  so one client's transactions run on different ones (what breaks prepared statements);
- `* = host=... port=...`: any database name of the client, on the same PostgreSQL (the tests
  derive their databases' names from DATABASE_URL);
- `auth_type = trust` with a userlist: PgBouncer checks no password (the tests' PostgreSQL
  trusts 127.0.0.1), and logs in to PostgreSQL with the URL's user and password;
- `ignore_startup_parameters`: psycopg and Django may send these, which PgBouncer does not
  know and would refuse the connection for;
- `query_wait_timeout`: a client waiting for a server connection (PostgreSQL down, or all busy)
  is told after this many seconds instead of the default 120, so the server answers 503 while
  PostgreSQL is away rather than hold the buyer;
- `server_login_retry = 1`: after a failed login to PostgreSQL, try again a second later (the
  default 15 s would keep the service away that long after PostgreSQL is back).

PgBouncer refuses to run as root: started by root, it is told to become `postgres` (`-u`), and
its directory is readable by that user. It logs to its stderr, kept in a file shown when it
fails to start.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from loadtest.servers import free_port

# Where Debian puts it (not on a normal user's PATH).
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
RUN_AS = "postgres"
POOL_SIZE = 4
QUERY_WAIT_SECONDS = 3
STARTED_WITHIN = 10.0


class PgBouncer:
    """One PgBouncer process in front of `database_url`'s server, on `port`; its `url` is
    `database_url` through it (the same database, user and options)."""

    def __init__(self, database_url: str, *, pool_mode: str, port: int, directory: Path):
        upstream = urlsplit(database_url)
        self.port = port
        self.url = upstream._replace(netloc=_netloc(upstream, "127.0.0.1", port)).geturl()
        self._directory = directory
        self._ini = directory / "pgbouncer.ini"
        self._log = directory / "pgbouncer.log"
        self._process: subprocess.Popen | None = None
        user = upstream.username or RUN_AS
        (directory / "userlist.txt").write_text(f'"{user}" "{upstream.password or ""}"\n')
        self._ini.write_text(
            _ini(
                host=upstream.hostname or "127.0.0.1",
                upstream_port=upstream.port or 5432,
                pool_mode=pool_mode,
                port=port,
                userlist=directory / "userlist.txt",
            )
        )
        for path in (directory, self._ini, directory / "userlist.txt"):
            path.chmod(0o755 if path.is_dir() else 0o644)

    def start(self) -> None:
        """Start it and wait until it takes connections."""
        if self._process is not None and self._process.poll() is None:
            raise RuntimeError("PgBouncer is already running")
        command = [PGBOUNCER, *(["-u", RUN_AS] if os.geteuid() == 0 else []), str(self._ini)]
        with open(self._log, "a") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTED_WITHIN
        while not _listening(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self._end(signal.SIGKILL)
                raise RuntimeError(f"pgbouncer did not start:\n{self.log_tail()}")
            time.sleep(0.05)

    def kill(self) -> None:
        """Stop it as a crash would (SIGKILL): every client and server connection is cut."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        """Stop it at once (SIGTERM: PgBouncer's fast exit, no waiting for clients)."""
        self._end(signal.SIGTERM)

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self._log.read_text(errors="replace")[-4000:]
        return "(no log)"

    def _end(self, how: signal.Signals) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(how)
        self._process.wait(timeout=10)
        self._process = None


@contextlib.contextmanager
def pgbouncer_in_front_of(
    database_url: str, *, pool_mode: str = "transaction", port: int | None = None
) -> Iterator[PgBouncer]:
    """A PgBouncer started in front of `database_url`'s PostgreSQL on `port` (a free one if
    None); stopped, and its directory removed, afterwards. Its log is printed if the caller
    fails."""
    directory = Path(tempfile.mkdtemp(prefix="seatmap-pgbouncer-"))
    bouncer = PgBouncer(
        database_url, pool_mode=pool_mode, port=port or free_port(), directory=directory
    )
    try:
        bouncer.start()
        yield bouncer
    except BaseException:
        print(f"--- pgbouncer log (port {bouncer.port}) ---\n{bouncer.log_tail()}")
        raise
    finally:
        bouncer.stop()
        shutil.rmtree(directory, ignore_errors=True)


def _ini(*, host: str, upstream_port: int, pool_mode: str, port: int, userlist: Path) -> str:
    return f"""\
[databases]
* = host={host} port={upstream_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {userlist}
pool_mode = {pool_mode}
default_pool_size = {POOL_SIZE}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits,options
query_wait_timeout = {QUERY_WAIT_SECONDS}
server_login_retry = 1
"""


def _netloc(url, host: str, port: int) -> str:
    credentials = url.netloc.rpartition("@")[0]
    return f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
