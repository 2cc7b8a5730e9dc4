"""Request bodies on a real server: slow uploads hold no request thread, chunked bodies are read,
oversized ones are refused as API.md JSON, and the admin's layout upload has a limit of its own,
over which its own form says so (reservations/api/request_bodies.py)."""

import contextlib
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from harness.servers import full_stack_env, running_server
from reservations.models import VenueLayout
from reservations.tests.factories import PASSWORD, UserFactory

THEATRE = (
    Path(__file__).resolve().parents[1] / "venues" / "examples" / "theatre.json"
).read_bytes()
LAYOUT_ADD = "/admin/reservations/venuelayout/add/"
ADMIN_PASSWORD = "pw-admin-1"
# The admin's layout limit on the module's server: the shipped theatre fits under it, and an
# upload of the theatre padded past it does not (one server for both, not one for each).
LAYOUT_LIMIT = 200_000
assert len(THEATRE) < LAYOUT_LIMIT
TOO_LARGE_LAYOUT = THEATRE + b" " * LAYOUT_LIMIT

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker):
    """One server on the test database for the module's tests (each test's rows are its own)."""
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    env = full_stack_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        REDIS_URL=settings.REDIS_URL,
        HTTP_THREADS="4",
        REQUEST_BODY_SECONDS="2",
        LAYOUT_UPLOAD_MAX_BYTES=str(LAYOUT_LIMIT),
    )
    with running_server(env) as base:
        yield base


@pytest.fixture
def server(served):
    UserFactory(username="alice")
    return served


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


@contextlib.contextmanager
def admin_session(base: str):
    """A browser logged in to the admin through its login form (the superuser `root`)."""
    with httpx.Client(base_url=base, timeout=30) as browser:
        yield _admin_login(browser)


def _admin_login(browser: httpx.Client) -> httpx.Client:
    browser.get("/admin/login/")
    answer = browser.post(
        "/admin/login/?next=/admin/",
        data={
            "username": "root",
            "password": ADMIN_PASSWORD,
            "next": "/admin/",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
    )
    assert answer.status_code == 302, answer.text[:2000]
    return browser


def layout_upload(browser: httpx.Client, content, name: str = "theatre.json") -> httpx.Response:
    browser.get(LAYOUT_ADD)
    return browser.post(
        LAYOUT_ADD,
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        files={"file": (name, content, "application/json")},
    )


def chunked_layout_upload(browser: httpx.Client, content: bytes) -> httpx.Response:
    """The upload with no length declared: sent chunked, counted as it arrives."""
    browser.get(LAYOUT_ADD)
    boundary = "seatmap-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{browser.cookies['csrftoken']}\r\n--{boundary}\r\nContent-Disposition: form-data;"
            f' name="file"; filename="theatre.json"\r\nContent-Type: application/json\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return browser.post(
        LAYOUT_ADD,
        content=chunks(body[:50_000], body[50_000:]),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


@pytest.fixture
def superuser():
    get_user_model().objects.create_superuser("root", "root@example.com", ADMIN_PASSWORD)


def test_the_admin_uploads_the_shipped_theatre_layout_through_its_form(server, superuser):
    assert len(THEATRE) > 64 * 1024  # over the API's limit
    with admin_session(server) as browser:
        answer = layout_upload(browser, THEATRE)

    assert answer.status_code == 302, answer.text[:3000]
    assert VenueLayout.objects.count() == 1
    assert VenueLayout.objects.get().seats.count() > 500


def test_an_upload_over_its_limit_gets_the_admins_own_form_error(server, superuser):
    with admin_session(server) as browser:
        declared = layout_upload(browser, TOO_LARGE_LAYOUT)
        chunked = chunked_layout_upload(browser, TOO_LARGE_LAYOUT)

    for answer in (declared, chunked):
        assert answer.status_code == 413
        assert answer.headers["content-type"].startswith("text/html")
        assert 'class="errornote"' in answer.text  # the admin's own form, with its error
        assert "The upload is over 195.3\xa0KB (LAYOUT_UPLOAD_MAX_BYTES)" in answer.text
        assert 'name="file"' in answer.text
    assert VenueLayout.objects.count() == 0


def declared_upload_answer(base: str, cookie: str = "") -> bytes:
    """The answer to a layout upload that declares 3 MiB and sends a few bytes of it: what the
    server says before the body is read (it never arrives)."""
    address = urlsplit(base)
    head = (
        f"POST {LAYOUT_ADD} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {3 * 1024 * 1024}\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n--x\r\n"
    )
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(head.encode())
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return answer


def test_a_strangers_large_upload_is_refused_before_its_body_is_read(server):
    answer = declared_upload_answer(server)
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert b'"code":"too_large"' in answer


def test_a_logged_in_buyers_large_upload_is_refused_before_its_body_is_read(server):
    with httpx.Client(base_url=server, timeout=10) as browser:
        csrf = browser.get("/api/csrf/").json()["csrfToken"]
        logged_in = browser.post(
            "/api/login/",
            json={"username": "alice", "password": PASSWORD},
            headers={"X-CSRFToken": csrf},
        )
        assert logged_in.status_code == 200, logged_in.text
        session = browser.cookies["sessionid"]
    answer = declared_upload_answer(server, f"sessionid={session}; csrftoken={csrf}")
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert b'"code":"too_large"' in answer


def test_a_forged_session_cookie_earns_no_upload_limit(server):
    answer = declared_upload_answer(server, "sessionid=not-a-session-of-anyone")
    assert answer.startswith(b"HTTP/1.1 413"), answer
