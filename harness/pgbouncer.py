"""PgBouncer in front of a PostgreSQL, for the tests and the test stacks, a process of their own
with its own ini file on a free port, never the machine's service. `make tools` provides
both kinds a server may run behind (reservations/database_pooler.py), named as the server's
DATABASE_POOLER names them:
- `transaction-prepared` (the default, as compose runs): PgBouncer 1.24, built from Debian 13's
  source into .tools/, which keeps the clients' prepared statements (`max_prepared_statements`);
- `transaction`: Debian 12's package (1.18), which keeps none.

    with pgbouncer_in_front_of(database_url) as bouncer:
        ...  # serve with DATABASE_URL=bouncer.url, DATABASE_POOLER=bouncer.pooler
        bouncer.kill()  # as a crash: every client connection is cut
        bouncer.start()  # again, on the same port

Its ini includes config/pgbouncer/seatmap.ini, what the server needs of any PgBouncer in front
of it (transaction mode, the startup parameters to ignore, short waits), as compose's does, and
adds what is the tests' own:
- `default_pool_size = 4` (unless told): few server connections for the server's many, so one
  client's transactions run on different ones (what breaks prepared statements);
- `* = host=... port=...`: any database name of the client, on the same PostgreSQL (the tests
  derive their databases' names from DATABASE_URL);
- `auth_type = trust` with a userlist: PgBouncer checks no password (the tests' PostgreSQL
  trusts 127.0.0.1), and logs in to PostgreSQL with the URL's user and password.

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

from harness.servers import ROOT, free_port, tail

# The binary of each kind: Debian's where Debian puts it (not on a normal user's PATH), the
# newer one where the Makefile builds it.
PGBOUNCERS = {
    "transaction": shutil.which("pgbouncer") or "/usr/sbin/pgbouncer",
    "transaction-prepared": str(ROOT / ".tools" / "pgbouncer-1.24.1" / "bin" / "pgbouncer"),
}
# Prepared statements PgBouncer keeps per server connection (1.24's default, said here so the
# tests' and compose's agree).
MAX_PREPARED_STATEMENTS = 200
RUN_AS = "postgres"
POOL_SIZE = 4
# What the server needs of every PgBouncer in front of it, compose's too.
SEATMAP_INI = ROOT / "config" / "pgbouncer" / "seatmap.ini"
STARTED_WITHIN = 10.0


class PgBouncer:
    """One PgBouncer process in front of `database_url`'s server, on `port`; its `url` is
    `database_url` through it (the same database, user and options)."""

    def __init__(
        self,
        database_url: str,
        *,
        pooler: str,
        pool_mode: str,
        pool_size: int,
        port: int,
        directory: Path,
    ):
        upstream = urlsplit(database_url)
        self.pooler = pooler
        self._binary = PGBOUNCERS[pooler]
        if not os.access(self._binary, os.X_OK):
            raise RuntimeError(f"no PgBouncer at {self._binary}: run `make tools`")
        self.port = port
        self.url = upstream._replace(netloc=_netloc(upstream, "127.0.0.1", port)).geturl()
        self._directory = directory
        self._ini = directory / "pgbouncer.ini"
        self._log = directory / "pgbouncer.log"
        self._process: subprocess.Popen | None = None
        user = upstream.username or RUN_AS
        (directory / "userlist.txt").write_text(f'"{user}" "{upstream.password or ""}"\n')
        # A copy: the checkout may be where the user PgBouncer runs as cannot read.
        shutil.copyfile(SEATMAP_INI, directory / "seatmap.ini")
        self._ini.write_text(
            _ini(
                host=upstream.hostname or "127.0.0.1",
                upstream_port=upstream.port or 5432,
                pool_mode=pool_mode,
                pool_size=pool_size,
                port=port,
                directory=directory,
                prepared=pooler == "transaction-prepared",
            )
        )
        directory.chmod(0o755)
        for path in directory.iterdir():
            path.chmod(0o644)

    def start(self) -> None:
        """Start it and wait until it takes connections."""
        if self._process is not None and self._process.poll() is None:
            raise RuntimeError("PgBouncer is already running")
        command = [self._binary, *(["-u", RUN_AS] if os.geteuid() == 0 else []), str(self._ini)]
        with open(self._log, "a") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTED_WITHIN
        while not _listening(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self._end(signal.SIGKILL)
                raise RuntimeError(f"pgbouncer did not start:\n{self.log_tail()}")
            time.sleep(0.05)

    @property
    def pid(self) -> int | None:
        """The running process's (its CPU for the bench), None while stopped."""
        return None if self._process is None else self._process.pid

    def kill(self) -> None:
        """Stop it as a crash would (SIGKILL): every client and server connection is cut."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        """Stop it at once, without waiting for clients: SIGQUIT from 1.23 on, SIGTERM before
        (where 1.23 made SIGTERM wait for every client to leave)."""
        self._end(signal.SIGQUIT if self.pooler == "transaction-prepared" else signal.SIGTERM)

    def log_tail(self) -> str:
        return tail(self._log)

    def _end(self, how: signal.Signals) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(how)
        self._process.wait(timeout=10)
        self._process = None


@contextlib.contextmanager
def pgbouncer_in_front_of(
    database_url: str,
    *,
    pooler: str = "transaction-prepared",
    pool_mode: str = "transaction",
    pool_size: int = POOL_SIZE,
) -> Iterator[PgBouncer]:
    """A PgBouncer of the `pooler` kind started in front of `database_url`'s PostgreSQL on a free
    port, with `pool_size` server connections per database and user; stopped, and its
    directory removed, afterwards. Its log is printed if the caller fails."""
    directory = Path(tempfile.mkdtemp(prefix="seatmap-pgbouncer-"))
    bouncer = PgBouncer(
        database_url,
        pooler=pooler,
        pool_mode=pool_mode,
        pool_size=pool_size,
        port=free_port(),
        directory=directory,
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


def _ini(
    *,
    host: str,
    upstream_port: int,
    pool_mode: str,
    pool_size: int,
    port: int,
    directory: Path,
    prepared: bool,
) -> str:
    # 1.18 knows no max_prepared_statements.
    prepared_line = f"max_prepared_statements = {MAX_PREPARED_STATEMENTS}\n" if prepared else ""
    return f"""\
[databases]
* = host={host} port={upstream_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "userlist.txt"}
default_pool_size = {pool_size}
max_client_conn = 500
%include {directory / "seatmap.ini"}
pool_mode = {pool_mode}
{prepared_line}"""


def _netloc(url, host: str, port: int) -> str:
    credentials = url.netloc.rpartition("@")[0]
    return f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
