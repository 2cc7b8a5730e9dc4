"""Real server processes for tests that cross process boundaries."""

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from reservations.tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
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


@contextlib.contextmanager
def running_server(env: dict, *, server: str = "uvicorn", port: int | None = None):
    """Serve config.asgi with `env` on a free port; yield its base URL, stop it afterwards."""
    with server_process(env, server=server, port=port) as (_, base):
        yield base


@contextlib.contextmanager
def server_process(env: dict, *, server: str = "uvicorn", port: int | None = None):
    """Serve config.asgi with `env` on a free port; yield (the process, its base URL).

    `uvicorn` is the shipped server, configured once in config/server.py; `daphne` serves the
    same app.
    """
    port = port or free_port()
    if server == "daphne":
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
        command.append("config.asgi:application")
    else:
        command = [sys.executable, "-m", "config.server", "--port", str(port)]
    log = open(ROOT / f".server-{port}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/health/", timeout=1).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start:\n{(ROOT / f'.server-{port}.log').read_text()}"
                )
            time.sleep(0.2)
        yield process, base
    except BaseException:
        log.flush()
        print(f"--- server log ({base}) ---\n{(ROOT / f'.server-{port}.log').read_text()[-4000:]}")
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        (ROOT / f".server-{port}.log").unlink(missing_ok=True)


def full_stack_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # settings_test: the same password hashers as the test process, so its users can log in.
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "SEATMAP_DB_POOL": "1",
            "DEBUG": "1",
            # Plain HTTP on 127.0.0.1: httpx, like a browser's cookie policy, sends a Secure
            # cookie only over HTTPS.
            "COOKIE_SECURE": "0",
            "SECRET_KEY": "test-only-secret-key-of-at-least-32-bytes",
        }
    )
    env.update(extra)
    return env


def token(base: str, username: str) -> dict:
    response = httpx.post(f"{base}/api/token/", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access']}"}


def ws_url(base: str, event_id: int) -> str:
    return base.replace("http://", "ws://") + f"/ws/events/{event_id}/"


async def next_of_type(socket, kind: str, within: float = 5.0, until=lambda message: True):
    """The next message of `kind` from a websockets client that satisfies `until`."""
    async with asyncio.timeout(within):
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == kind and until(message):
                return message


async def next_seats(socket, within: float = 5.0) -> dict:
    return await next_of_type(socket, "seats", within)


async def lock_as_alice(base: str, event, seat) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{base}/api/events/{event.id}/seats/{seat.id}/lock/",
            json={},
            headers=token(base, "alice"),
        )
