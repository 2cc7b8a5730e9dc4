"""The bench's servers: the environment they run with (the bench's database and Redis db,
limits at rates one host never reaches), its management commands, and its server processes,
started by harness/servers.py from the checkout measured, or the multi-server stack of
harness/stack.py (issue 26)."""

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.servers import free_port as free_port
from harness.servers import server_processes
from harness.servers import stop as stop
from harness.stack import engine_stack

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DB = os.environ.get("BENCH_DB", "seatmap_bench")
PG = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
# A run's raw figures: in a git-ignored folder, so a run never rewrites the repository; only
# BENCHMARKS.md is written, and only unless --no-write says not to.
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "loadtest-results" / "bench"))
# The checkout whose server is measured: another one (a `git worktree` of the previous head)
# for an A/B run against this load tester, interleaved in the same minutes.
SERVER_ROOT = Path(os.environ.get("BENCH_SERVER_ROOT", ROOT))


def server_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"{PG}/{DB}",
        REDIS_URL=REDIS_URL,
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-of-at-least-32-bytes",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        COOKIE_SECURE="0",
        JWT_ACCESS_MINUTES="600",
        LOG_LEVEL="WARNING",
        # The limits stay on and counted (their Redis round trip is part of every figure), at
        # rates the bench's few users from one address never reach.
        BOOKING_USER_RATE="1000000/min",
        BOOKING_ADDRESS_RATE="100000000/min",
        ANON_READ_THROTTLE_RATE="100000000/min",
        USER_READ_THROTTLE_RATE="100000000/min",
        # Every clicker of --auth client or session logs in, all from this one address.
        AUTH_THROTTLE_RATE="100000000/min",
        AUTH_USERNAME_THROTTLE_RATE="100000000/min",
        # Thousands of watchers from this one address: the cap stays on and checked.
        WS_MAX_SOCKETS_PER_ADDRESS="100000000",
        # The checkout profiles (book, journey) have each of few users book again and again:
        # the purchase limit stays on and counted in every hold, at a number they never reach.
        SEAT_PURCHASE_LIMIT="100000000",
        # The rules of holds per network likewise (issue 40), on the events that turn them on
        # (bench_wrk.py `one_network`): each hold takes its network's lock and counts its
        # holds, at a cap nobody reaches; each clicker and wrk user from a network of its own,
        # as buyers are (their X-Forwarded-For, believed with one proxy).
        SEAT_ADDRESS_HOLD_LIMIT="100000000",
        NUM_PROXIES="1",
    )
    env.update(extra)
    return env


def manage(*args: str, root: Path | None = None, **env) -> str:
    """A management command of the checkout measured (SERVER_ROOT, or `root`), with `env` over
    the servers': its database is that checkout's, migrations included, however the bench's
    own tree has moved on."""
    out = subprocess.run(
        [PY, "manage.py", *args],
        cwd=root or SERVER_ROOT,
        env=server_env(**env),
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"manage.py {args}: {out.stderr[-2000:]}")
    return out.stdout


def create_event(*args: str, **where) -> int:
    """An event made by `manage.py create_event *args` (`where`: as manage's): its id (on its
    output's last line)."""
    return int(manage("create_event", *args, **where).split()[-1])


def role_token_code(username: str, role: str) -> str:
    """`manage.py shell -c` code printing an access token of an account in the role's group
    (made once per database): the bench's and the profile's test's staff."""
    return (
        "from django.contrib.auth import get_user_model; "
        "from reservations.roles import role_group; "
        "from rest_framework_simplejwt.tokens import AccessToken; "
        f"u, _ = get_user_model().objects.get_or_create(username='{username}'); "
        f"u.groups.add(role_group('{role}')); print(AccessToken.for_user(u))"
    )


def role_token(username: str, role: str, **where) -> str:
    """An access token of `username`, in the role's group (`where`: as manage's)."""
    return manage("shell", "-c", role_token_code(username, role), **where).split()[-1]


def server_commit() -> str:
    """`git describe` of the checkout measured (SERVER_ROOT), whatever this load tester's is."""
    describe = ["git", "-C", str(SERVER_ROOT), "describe", "--always", "--dirty"]
    return subprocess.run(describe, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def servers(
    kind: str = "uvicorn",
    procs: int = 1,
    *,
    root: Path = SERVER_ROOT,
    port: int | None = None,
    **extra_env,
):
    """Start `procs` server processes of the checkout measured (SERVER_ROOT, or `root`) on
    their own ports (or `port`, for one); yield (urls, pids) once each lists the events."""
    args = ("--log-level", "warning")
    if extra_env.get("DEFLATE") == "true":
        args += ("--deflate",)
    with server_processes(
        server_env(**extra_env),
        kind=kind,
        count=procs,
        port=port,
        cwd=root,
        args=args,
        ready_path="/api/events/",
        log_dir=Path(tempfile.gettempdir()),
    ) as started:
        yield [server.url for server in started], [server.process.pid for server in started]


@contextlib.contextmanager
def stacked(processes: int):
    """(urls, pids) of the multi-server stack: nginx's one URL, the server processes' pids."""
    with engine_stack(
        f"{PG}/{DB}",
        servers=processes,
        base_env=server_env(),
        exempt_networks=("127.0.0.1/32",),
    ) as stack:
        yield [stack.base], stack.server_pids
