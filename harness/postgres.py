"""A PostgreSQL of its own, for the tests that stop and start it: a cluster made with
`initdb` in a temporary directory, served on a free port, removed afterwards. The machine's
PostgreSQL, which other work shares, is never stopped.

    with private_postgres() as postgres:
        postgres.url("seatmap")  # createdb'd on first ask
        postgres.stop()  # `pg_ctl stop -m immediate`: a crash, no checkpoint
        postgres.start()  # again on the same port, recovering from its WAL

Debian's server binaries (the `postgresql` package, /usr/lib/postgresql/N/bin) refuse to run as
root: started by root, every command runs as `postgres` (runuser), which owns the directory.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness.servers import free_port, tail

RUN_AS = "postgres"


def _bin_dir() -> Path:
    """The newest Debian PostgreSQL's server binaries (initdb and pg_ctl are not on PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return found[-1].parent


class PrivatePostgres:
    """A PostgreSQL cluster in `directory`, served on 127.0.0.1:`port` (trust, user postgres)."""

    def __init__(self, directory: Path, port: int):
        self.port = port
        self._directory = directory
        self._data = directory / "data"
        self._bin = _bin_dir()

    def url(self, database: str) -> str:
        return f"postgres://{RUN_AS}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create database `name`; its URL."""
        self._run(self._bin / "createdb", "-h", "127.0.0.1", "-p", str(self.port), name)
        return self.url(name)

    def init(self) -> None:
        self._run(
            self._bin / "initdb",
            *("-D", str(self._data), "-U", RUN_AS, "--auth=trust", "-E", "UTF8"),
            "--no-sync",  # a test's cluster: nothing to keep if the machine stops
        )

    def start(self) -> None:
        """Start it and wait until it takes connections."""
        options = (
            f"-p {self.port} -k {self._directory} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c max_connections=50"
        )
        self._run(
            self._bin / "pg_ctl",
            *("start", "-w", "-D", str(self._data), "-l", str(self._directory / "log")),
            *("-o", options),
        )

    def stop(self, mode: str = "immediate") -> None:
        """Stop it: `immediate` (a crash: every session cut, no checkpoint) or `fast`."""
        self._run(self._bin / "pg_ctl", "stop", "-w", "-m", mode, "-D", str(self._data))

    def log_tail(self) -> str:
        return tail(self._directory / "log")

    def _run(self, *command) -> None:
        as_owner = ["runuser", "-u", RUN_AS, "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*as_owner, *map(str, command)],
            cwd=self._directory,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(command[0]).name} failed:\n{result.stdout}\n{result.stderr}"
                f"\n{self.log_tail()}"
            )


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A new cluster, started on a free port; stopped and removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="seatmap-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(directory, RUN_AS, RUN_AS)
    postgres = PrivatePostgres(directory, free_port())
    try:
        postgres.init()
        postgres.start()
        yield postgres
    finally:
        with contextlib.suppress(RuntimeError):  # already stopped by the caller
            postgres.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)
