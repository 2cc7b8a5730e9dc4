"""Request bodies on a real server: slow uploads hold no request thread, chunked bodies are read,
oversized ones are refused as API.md JSON (reservations/api/request_bodies.py)."""

import contextlib
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest
from django.db import connection

from realtime.tests.servers import full_stack_env, running_server
from reservations.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def server(settings):
    UserFactory(username="alice")
    name = connection.settings_dict["NAME"]
    env = full_stack_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        REDIS_URL=settings.REDIS_URL,
        HTTP_THREADS="4",
        REQUEST_BODY_SECONDS="2",
    )
    with running_server(env) as base:
        yield base


def half_sent_request(base: str) -> socket.socket:
    """A POST whose body never finishes arriving."""
    address = urlsplit(base)
    sock = socket.create_connection((address.hostname, address.port))
    sock.sendall(
        b"POST /api/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"username": '
    )
    return sock


def test_slow_uploads_hold_no_request_thread(server):
    stalled = [half_sent_request(server) for _ in range(12)]  # three times the threads
    try:
        time.sleep(0.5)
        started = time.monotonic()
        assert httpx.get(f"{server}/api/events/", timeout=5).status_code == 200
        assert time.monotonic() - started < 2
        # The deadline passes: each gets a clean 408 in API.md's shape, and is closed.
        stalled[0].settimeout(5)
        answer = b""
        with contextlib.suppress(TimeoutError):
            while chunk := stalled[0].recv(4096):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408"), answer
        assert b'"code":"request_timeout"' in body
    finally:
        for sock in stalled:
            sock.close()


def chunks(*parts: bytes):
    yield from parts


def test_a_chunked_body_is_read_whole(server):
    body = f'{{"username": "alice", "password": "{PASSWORD}"}}'.encode()
    response = httpx.post(
        f"{server}/api/token/",
        content=chunks(body[:10], body[10:]),  # no length: sent chunked
        headers={"Content-Type": "application/json"},
    )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 200, response.text
    assert response.json()["access"]


def test_a_chunked_body_over_64_kib_is_413_json(server):
    response = httpx.post(
        f"{server}/api/token/",
        content=chunks(*[b"x" * 10_000] * 10),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_declared_length_over_64_kib_is_refused_before_the_body_is_read(server):
    address = urlsplit(server)
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/events/1/reserve/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"
        )
        # The head and the body may come in separate segments: read until the server closes.
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert b'"code":"too_large"' in answer
