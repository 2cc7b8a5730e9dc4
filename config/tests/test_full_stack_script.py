"""docs/DEPLOY.md's full stack by hand works as printed: its line that calls
config/run-full-stack.sh, run as written on a database name that does not exist yet, serves the
demo."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from django.core.files.storage import storages

from harness.servers import LOCAL_HTTP, free_port

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## The full stack with Docker Compose"


def readme_by_hand_lines() -> list[str]:
    """The shell block of DEPLOY.md's section that runs the full stack without Docker."""
    readme = (ROOT / "docs" / "DEPLOY.md").read_text()
    section = readme[readme.index(SECTION) :]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    by_hand = next(block for block in blocks if "run-full-stack.sh" in block)
    return by_hand.strip().splitlines()


def test_the_readme_calls_the_script_after_making_what_it_runs_with():
    assert readme_by_hand_lines() == [
        "make install frontend-build",
        "SEED_DEMO=1 config/run-full-stack.sh",
    ]
    assert {"install:", "frontend-build:"} <= {
        line.split()[0] for line in (ROOT / "Makefile").read_text().splitlines() if line
    }


def test_a_deploy_compresses_what_pages_load_and_leaves_source_maps_as_they_are(tmp_path):
    storage = storages.create_storage(
        {**storages.backends["staticfiles"], "OPTIONS": {"location": tmp_path}}
    )
    for name in ("app.js", "app.js.map"):
        (tmp_path / name).write_text("window.seats = [];\n" * 200)
    list(storage.post_process({"app.js": None, "app.js.map": None}))
    assert {path.name for path in tmp_path.iterdir()} == {
        "app.js",
        "app.js.br",
        "app.js.gz",
        "app.js.map",
    }


@pytest.fixture
def fresh_database():
    name = f"seatmap_by_hand_{uuid.uuid4().hex[:10]}"
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_the_readmes_line_serves_the_demo_on_a_database_it_creates(fresh_database, tmp_path):
    line = readme_by_hand_lines()[-1]
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")},
        "DATABASE_URL": fresh_database,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
        "SECRET_KEY": "a-secret-of-this-test-only-0123456789abcdef",
        "PORT": str(port),
        # What `make install` makes, here the suite's own interpreter.
        "SEATMAP_PYTHON": sys.executable,
    }
    log = (tmp_path / "stack.log").open("w+")
    stack = subprocess.Popen(
        ["bash", "-c", line], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    try:
        events = _served_events(f"http://127.0.0.1:{port}", stack)
        assert len(events) == 4, events  # the demo, seeded
        assert httpx.get(f"http://127.0.0.1:{port}/api/health/").json() == {
            "database": "ok",
            "channel_layer": "ok",
        }
        # Beside the server, what sends its e-mails' siblings out: the sweeper and the webhooks.
        running = " ".join(_commands_of_group(stack.pid))
        assert "sweep_locks" in running and "deliver_webhooks" in running, running
    except BaseException:
        log.seek(0)
        print(log.read())
        raise
    finally:
        os.killpg(stack.pid, signal.SIGINT)  # Ctrl-C in the terminal
        stack.wait(timeout=30)
    assert _group_gone(stack.pid), "the sweeper outlived the script"


def _commands_of_group(group: int) -> list[str]:
    commands = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == group:
                command = stat.with_name("cmdline").read_bytes()
                commands.append(command.replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return commands


def _group_gone(group: int) -> bool:
    for _ in range(100):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.killpg(group, signal.SIGKILL)
    return False


def _served_events(base: str, stack: subprocess.Popen) -> list:
    # Migrating a new database and seeding the demo took over 120 s on a busy CI machine.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert stack.poll() is None, "the script stopped"
        try:
            answer = LOCAL_HTTP.get(f"{base}/api/events/", timeout=2)
            if answer.status_code == 200:
                return answer.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("the server did not answer within 300 s")
