"""The shipped server (config/server.py) as it starts."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from harness.servers import full_stack_env, server_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def environment_of_server(**extra: str) -> dict[str, str]:
    """The environment the server process runs with, started with this one and `extra`."""
    env = full_stack_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        **extra,
    )
    if "PYTHONMALLOC" not in extra:
        env.pop("PYTHONMALLOC", None)
    with server_process(env) as (process, _):
        environ = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in environ if b"=" in item)


def test_the_server_starts_again_on_the_c_librarys_allocator_when_none_is_chosen():
    assert environment_of_server()["PYTHONMALLOC"] == "malloc"


def test_an_operators_choice_of_allocator_is_kept():
    assert environment_of_server(PYTHONMALLOC="pymalloc")["PYTHONMALLOC"] == "pymalloc"


def test_a_server_imports_no_library_only_an_export_or_a_payment_needs():
    """openpyxl and stripe took half a second of CPU from every process's start: every server,
    sweeper and command of the suite paid it."""
    env = full_stack_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        REDIS_URL=settings.REDIS_URL,
    )
    listed = "import sys, config.asgi; print(*sorted(sys.modules))"
    run = subprocess.run([sys.executable, "-c", listed], env=env, capture_output=True, text=True)
    loaded = set(run.stdout.split())
    assert "reservations.api.fast" in loaded, run.stderr
    assert {"openpyxl", "stripe"} & loaded == set()
