"""A database that was never created is named in one line, by migrate, the sweeper and the
server, against the real PostgreSQL; `manage.py createdb` creates it
(reservations/database_presence.py)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = "127.0.0.1:5432"


@pytest.fixture
def absent_name():
    name = f"seatmap_absent_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(f"postgresql://postgres@{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _run(name: str, *command: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://postgres@{SERVER}/{name}",
    }
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "command",
    [
        ("manage.py", "migrate", "--noinput"),
        ("manage.py", "sweep_locks"),
        ("-m", "config.server", "--port", "0"),
    ],
    ids=["migrate", "sweep_locks", "server"],
)
def test_a_missing_database_is_named_in_one_line(absent_name, command):
    result = _run(absent_name, *command)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"The database {absent_name} does not exist on {SERVER}" in lines[0]
    assert "manage.py createdb" in lines[0]
    assert "couldn't get a connection" not in result.stderr


def test_createdb_creates_the_database_once_and_migrate_then_runs(absent_name):
    created = _run(absent_name, "manage.py", "createdb")
    assert created.returncode == 0, created.stderr
    assert f"Created the database {absent_name}." in created.stdout
    again = _run(absent_name, "manage.py", "createdb")
    assert again.returncode == 0 and "is there" in again.stdout
    migrated = _run(absent_name, "manage.py", "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
