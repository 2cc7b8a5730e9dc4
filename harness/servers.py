"""Starting the app's server for anything outside it: the bench, the tests that cross process
boundaries (realtime's, reservations', the load tester's) and the browser tests.

One way to start one: `python -m config.server` (the shipped server, configured in
config/server.py) or daphne on the same app, on a free port, stopped when done. Its output goes
to a log file that is shown when it fails to start or the caller fails while it runs.

    python -m harness.servers --port 8765     # serve with this environment until stopped
"""

import argparse
import atexit
import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx

ROOT = Path(__file__).resolve().parents[1]
SERVER_KINDS = ("uvicorn", "daphne")
# The bench's bare hold (loadtest/hold_floor.py): what a correct hold costs at least, on uvicorn.
FLOOR = "hold-floor"
# daphne with PROTOCOL.md's frame limit (README): its WebSocket drops a connection past it (an
# app may not send 1009 through it).
DAPHNE_ARGS = ("--websocket-max-message-size", "4096")
# What a process has to answer before it counts as started: the liveness route, which asks no
# part (some tests start a server while Redis or the database is down, on purpose).
HEALTH = "/api/health/live/"
STARTED_WITHIN = 30.0


class Server(NamedTuple):
    url: str  # http://127.0.0.1:port
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    """The output of `manage.py *args` run with `env`; a RuntimeError with it if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# One Django start-up for several commands: each is `call_command` with its command-line words,
# its output (and what it prints) kept apart; the outputs go back as the last line, in JSON.
_EACH = """
import contextlib, io, json, sys
import django
django.setup()
from django.core.management import call_command
outputs = []
for words in json.loads(sys.stdin.read()):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # what `shell -c` prints too
        call_command(*words, stdout=out)
    outputs.append(out.getvalue())
print(json.dumps(outputs))
"""


def manage_each(env: dict, *commands: tuple[str, ...]) -> list[str]:
    """The outputs of `manage.py` commands run in turn with `env`, in one process (a start-up of
    the project costs some 2.5 s of CPU: a fixture that makes its events and users pays it
    once); a RuntimeError naming the commands if one fails (those after it do not run)."""
    result = subprocess.run(
        [sys.executable, "-c", _EACH],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": env.get("DJANGO_SETTINGS_MODULE", "config.settings")},
        input=json.dumps([list(words) for words in commands]),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        names = ", ".join(words[0] for words in commands)
        raise RuntimeError(f"manage.py {names} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.splitlines()[-1])


def migrated_sqlite(env: dict) -> None:
    """env's SQLite file (DATABASE_URL `sqlite:///path`) as `manage.py migrate` leaves it: a copy
    of a file migrated once per process for its settings module. The migrations still run on
    SQLite, into that file; what each test runs after them is its own."""
    target = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    shutil.copyfile(_sqlite_template(env.get("DJANGO_SETTINGS_MODULE", "config.settings")), target)


@functools.cache
def _sqlite_template(settings_module: str) -> Path:
    directory = tempfile.mkdtemp(prefix="seatmap-sqlite-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    template = Path(directory) / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, DEBUG="1", REDIS_URL="")
    manage({**env, "DATABASE_URL": f"sqlite:///{template}"}, "migrate", "--noinput")
    return template


def full_stack_env(**extra) -> dict:
    """The environment the tests serve with: this process's, with settings_test."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # settings_test: the same password hashers as the test process, so its users can log in.
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "QUEUE_TICKS": "1",  # settings_test keeps the suite's own process from ticking
            "SEATMAP_DB_POOL": "1",
            "DEBUG": "1",
            # Plain HTTP on 127.0.0.1: httpx, like a browser's cookie policy, sends a Secure
            # cookie only over HTTPS.
            "COOKIE_SECURE": "0",
            "SECRET_KEY": "test-only-secret-key-of-at-least-32-bytes",
            # The tests' watchers all come from 127.0.0.1; a test of the cap sets its own.
            "WS_MAX_SOCKETS_PER_ADDRESS": "0",
            # Each process's two pools, grown once, keep their connections for minutes: at their
            # defaults (20 + 10) the servers of three test workers passed PostgreSQL's default
            # max_connections (100). A test server on two cores needs few.
            "DB_POOL_MAX": "5",
            "FAST_PATH_DB_POOL_MAX": "4",
        }
    )
    env.update(extra)
    return env


# httpx makes a TLS context with every client (41 ms of CPU: the CA bundle read), even for plain
# HTTP: the tests' clients, one a thread or a call (the races make some 700), share this one.
TLS = ssl.create_default_context()
# The harness's calls to the servers it starts, each on a connection of its own as httpx.get's are.
LOCAL_HTTP = httpx.Client(verify=TLS, limits=httpx.Limits(max_keepalive_connections=0))


def token(base: str, username: str) -> dict:
    """A bearer header for one of the tests' users (reservations/tests/factories.py), whose
    password is imported here, when a test that has Django set up calls this."""
    from reservations.tests.factories import PASSWORD

    response = LOCAL_HTTP.post(
        f"{base}/api/token/", json={"username": username, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.json()['access']}"}


@contextlib.contextmanager
def server_processes(
    env: dict,
    *,
    kind: str = "uvicorn",
    count: int = 1,
    port: int | None = None,
    cwd: Path = ROOT,
    args: tuple[str, ...] = (),
    ready_path: str = HEALTH,
    log_dir: Path = ROOT,
) -> Iterator[list[Server]]:
    """Serve config.asgi with `env` from `cwd` in `count` processes, each on a free port (or
    `port`, for one); yield them once each answers `ready_path` with 200, and stop them
    afterwards. `args` go to config.server (uvicorn) only."""
    if kind not in (*SERVER_KINDS, FLOOR):
        raise ValueError(f"kind is one of {SERVER_KINDS}, not {kind!r}")
    started: list[tuple[Server, Path]] = []
    try:
        for _ in range(count):
            started.append(_start(env, kind, port or free_port(), cwd, args, log_dir))
        for server, log in started:
            _wait_ready(server, kind, log, ready_path)
        yield [server for server, _ in started]
    except BaseException:
        for server, log in started:
            print(f"--- server log ({server.url}) ---\n{tail(log)}")
        raise
    finally:
        for server, log in started:
            stop(server.process)
            log.unlink(missing_ok=True)


@contextlib.contextmanager
def server_process(env: dict, *, server: str = "uvicorn", port: int | None = None):
    """One server process (see `server_processes`); yield (the process, its base URL)."""
    with server_processes(env, kind=server, port=port) as [started]:
        yield started.process, started.url


@contextlib.contextmanager
def running_server(env: dict, *, server: str = "uvicorn", port: int | None = None):
    """One server process (see `server_processes`); yield its base URL."""
    with server_processes(env, kind=server, port=port) as [started]:
        yield started.url


def _start(
    env: dict, kind: str, port: int, cwd: Path, args: tuple[str, ...], log_dir: Path
) -> tuple[Server, Path]:
    if kind == "daphne":
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
        command += [*DAPHNE_ARGS, "config.asgi:application"]
    elif kind == FLOOR:
        command = [sys.executable, "-m", "uvicorn", "loadtest.hold_floor:app", "--port", str(port)]
        command += ["--loop", "uvloop", "--http", "httptools", "--log-level", "warning"]
    else:
        command = [sys.executable, "-m", "config.server", "--port", str(port), *args]
    log = log_dir / f".server-{port}.log"
    with open(log, "w") as output:  # the child holds its own copy of the descriptor
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    return Server(f"http://127.0.0.1:{port}", process), log


def _wait_ready(server: Server, kind: str, log: Path, ready_path: str) -> None:
    deadline = time.monotonic() + STARTED_WITHIN
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if LOCAL_HTTP.get(server.url + ready_path, timeout=2).status_code == 200:
                return
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{kind} did not start:\n{tail(log)}")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tail(log: Path) -> str:
    with contextlib.suppress(OSError):
        return log.read_text(errors="replace")[-4000:]
    return "(no log)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m harness.servers", description="Serve config.asgi until stopped."
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server", choices=SERVER_KINDS, default="uvicorn")
    options = parser.parse_args(argv)
    stopped = []
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(True))
    with server_processes(dict(os.environ), kind=options.server, port=options.port) as [server]:
        print(f"serving on {server.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while not stopped and server.process.poll() is None:
                time.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
