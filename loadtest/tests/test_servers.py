"""The one server starter (harness/servers.py): a server that cannot start says why, and the
command line serves until stopped and stops its server with it."""

import signal
import subprocess
import sys

import httpx
import pytest

from harness.servers import ROOT, free_port, full_stack_env, server_processes

from .server_stack import DB_URL, Stack


def test_a_server_that_cannot_start_is_an_error_that_shows_its_log():
    starting = server_processes(full_stack_env(), args=("--no-such-option",))

    with pytest.raises(RuntimeError) as caught, starting:
        pass

    assert "uvicorn did not start" in str(caught.value)
    assert "--no-such-option" in str(caught.value)


def test_the_command_line_serves_until_stopped_and_stops_its_server(stack: Stack):
    port = free_port()
    command = [sys.executable, "-m", "harness.servers", "--port", str(port)]
    env = full_stack_env(DATABASE_URL=DB_URL, REDIS_URL=stack.redis_url)
    starter = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert starter.stdout.readline().strip() == f"serving on http://127.0.0.1:{port}"
        assert httpx.get(f"http://127.0.0.1:{port}/api/health/").status_code == 200

        starter.send_signal(signal.SIGTERM)

        assert starter.wait(timeout=20) == 0
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/api/health/", timeout=2)
    finally:
        starter.kill()
        starter.wait()
