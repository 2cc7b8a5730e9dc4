"""The stack behind the proxy the project ships (config/nginx/seatmap.conf, as docker-compose.yml
runs it): Debian's nginx in front of two server processes on this machine."""

import asyncio
import contextlib
import json
import signal
import time

import httpx
import pytest
import websockets
from django.contrib.auth import get_user_model

from harness.nginx import nginx_in_front_of
from harness.servers import server_process, token
from realtime.tests.clients import next_of_type, next_seats, ws_url
from reservations.models import VenueLayout
from reservations.tests.factories import UserFactory, event_with_seats
from reservations.tests.test_request_bodies import (
    ADMIN_PASSWORD,
    LAYOUT_ADD,
    THEATRE,
    admin_session,
    declared_upload_answer,
    layout_upload,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_http_and_sockets_through_the_proxy_reach_both_processes(stack_env, shared_server):
    event = event_with_seats(rows=1, seats_per_row=4)
    UserFactory(username="alice")
    # The module's process and one of this test's own, started alike (stack_env).
    first = shared_server
    with (
        server_process(stack_env) as (_, second),
        nginx_in_front_of(first, second) as proxy,
    ):
        assert httpx.get(f"{proxy}/api/events/").status_code == 200
        too_large = httpx.post(f"{proxy}/api/token/", content=b"x" * 100_000)
        assert too_large.status_code == 413
        assert too_large.json()["code"] == "too_large"  # nginx's own answer, as API.md JSON
        asyncio.run(_a_change_through_the_proxy_reaches_every_process(proxy, first, second, event))


def test_the_proxy_limits_a_flood_of_logins_and_not_the_reads(shared_server):
    with (
        nginx_in_front_of(shared_server) as proxy,
        httpx.Client(base_url=proxy) as http,
    ):
        logins = [
            http.post("/api/token/", json={"username": f"guess{i}", "password": "nope-1"})
            for i in range(45)
        ]
        reads = [http.get("/api/events/").status_code for _ in range(45)]
    refused = [answer for answer in logins if answer.status_code == 429]
    # The app's own limits are far away in the test settings: these 429s are nginx's.
    assert refused, [answer.status_code for answer in logins]
    assert {answer.status_code for answer in logins} == {401, 429}
    assert refused[0].json()["code"] == "throttled"
    assert refused[0].headers["Retry-After"] == "1"
    assert set(reads) == {200}


async def _a_change_through_the_proxy_reaches_every_process(proxy, first, second, event):
    urls = [ws_url(proxy, event.id)] * 2 + [ws_url(first, event.id), ws_url(second, event.id)]
    async with contextlib.AsyncExitStack() as stack:
        watchers = [await stack.enter_async_context(websockets.connect(url)) for url in urls]
        for watcher in watchers:  # the upgrade went through: each has its snapshot
            await next_of_type(watcher, "state")
        seat = await asyncio.to_thread(lambda: event.seats.order_by("id").first())
        async with httpx.AsyncClient(headers=token(proxy, "alice")) as http:
            response = await http.post(f"{proxy}/api/events/{event.id}/seats/{seat.id}/lock/")
        assert response.status_code == 200, response.text
        # Whichever process served the lock, the watchers on the other one hear it too.
        for watcher in watchers:
            assert (await next_seats(watcher))["changes"][0]["id"] == seat.id


def test_a_killed_process_s_watchers_resync_through_the_proxy_and_holds_go_on(
    stack_env, shared_server
):
    event = event_with_seats(rows=1, seats_per_row=12)
    UserFactory(username="alice")
    # The one killed is the test's own; the module's process is the one that goes on.
    with (
        server_process(stack_env) as (doomed, first),
        nginx_in_front_of(first, shared_server) as proxy,
    ):
        asyncio.run(_kill_one(proxy, doomed, event))


class Watcher:
    """A client like the shipped one: reconnects through the proxy, resyncs on each snapshot."""

    def __init__(self, url: str):
        self.url = url
        self.snapshots = 0
        self.closed = 0
        self.seen: set[int] = set()
        self.ready = asyncio.Event()

    async def run(self):
        while True:
            try:
                async with websockets.connect(self.url, open_timeout=5) as socket:
                    async for frame in socket:
                        message = json.loads(frame)
                        if message["type"] == "state":
                            self.snapshots += 1
                            self.ready.set()
                        elif message["type"] == "seats":
                            self.seen.update(change["id"] for change in message["changes"])
            except (OSError, websockets.WebSocketException, TimeoutError):
                pass
            self.closed += 1
            self.ready.clear()
            await asyncio.sleep(0.2)


async def _kill_one(proxy, doomed, event):
    seats = await asyncio.to_thread(lambda: list(event.seats.order_by("id")))
    watchers = [Watcher(ws_url(proxy, event.id)) for _ in range(6)]
    tasks = [asyncio.ensure_future(w.run()) for w in watchers]
    try:
        await asyncio.wait_for(asyncio.gather(*(w.ready.wait() for w in watchers)), 10)
        async with httpx.AsyncClient(headers=token(proxy, "alice"), timeout=10) as http:
            lock = f"{proxy}/api/events/{event.id}/seats/{{}}/lock/"
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=5)
            # Holds keep committing through the proxy while and after the process is gone.
            for seat in seats[:5]:
                response = await http.post(lock.format(seat.id))
                assert response.status_code == 200, response.text
            cut_off = [w for w in watchers if w.closed]
            assert cut_off, "the killed process served none of the six sockets"
            await asyncio.wait_for(asyncio.gather(*(w.ready.wait() for w in watchers)), 15)
            assert all(w.snapshots >= 2 for w in cut_off), "reconnected and took a new snapshot"
            response = await http.post(lock.format(seats[5].id))
            assert response.status_code == 200, response.text
        for _ in range(50):
            if all(seats[5].id in w.seen for w in watchers):
                break
            await asyncio.sleep(0.1)
        assert all(seats[5].id in w.seen for w in watchers), "every watcher hears the next hold"
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def test_the_admin_uploads_a_layout_through_the_proxy_and_one_over_its_limit_gets_the_form(
    stack_env,
):
    """The layout upload's own limit, 4 MiB, in the proxy's `location` as in the server; over
    it the proxy asks the admin for its form, which says why (not a JSON 413)."""
    get_user_model().objects.create_superuser("root", "root@example.com", ADMIN_PASSWORD)
    # The server alone would take twice as much: what refuses here is the proxy.
    roomy = {**stack_env, "LAYOUT_UPLOAD_MAX_BYTES": str(8 * 1024 * 1024)}
    with (
        server_process(roomy) as (_, web),
        nginx_in_front_of(web) as proxy,
        admin_session(proxy) as browser,
    ):
        uploaded = layout_upload(browser, THEATRE)
        too_large = layout_upload(browser, b" " * (4 * 1024 * 1024))  # with the form: over

    assert uploaded.status_code == 302, uploaded.text[:3000]
    assert too_large.status_code == 413
    assert too_large.headers["content-type"].startswith("text/html")
    assert 'class="errornote"' in too_large.text
    assert "The upload is over 4.0\xa0MB (LAYOUT_UPLOAD_MAX_BYTES)" in too_large.text
    assert VenueLayout.objects.count() == 1


def test_the_proxy_limits_new_sockets_and_open_sockets_per_address(shared_server):
    """limits.conf: a burst of 100 handshakes, then 20 a second; 256 open at once."""
    event = event_with_seats(rows=1, seats_per_row=4)
    with nginx_in_front_of(shared_server) as proxy:
        asyncio.run(_sockets_past_the_proxy_limits(ws_url(proxy, event.id)))


async def _refused(url: str) -> int | None:
    """The status a refused handshake was answered with; None when the socket opened."""
    try:
        socket = await websockets.connect(url, open_timeout=10)
    except websockets.InvalidStatus as refused:
        assert refused.response.status_code == 429
        assert json.loads(refused.response.body)["code"] == "throttled"
        return refused.response.status_code
    _open_sockets.append(socket)
    return None


_open_sockets: list = []


async def _sockets_past_the_proxy_limits(url: str):
    try:
        # A storm of 200 at once: the burst opens, and 20 a second more while the storm lasts
        # (a second and more on a busy machine); the rest are refused.
        started = time.monotonic()
        storm = await asyncio.gather(*(_refused(url) for _ in range(200)))
        lasted = time.monotonic() - started
        opened = storm.count(None)
        assert 90 <= opened <= 101 + 20 * lasted + 2, (opened, lasted)
        assert storm.count(429) == 200 - opened >= 40, (opened, lasted)
        # Opened at a pace under the rate, sockets open until 256 are open at once.
        await asyncio.sleep(2)
        while len(_open_sockets) < 256:
            assert await _refused(url) is None, len(_open_sockets)
            await asyncio.sleep(0.06)
        await asyncio.sleep(1)
        assert await _refused(url) == 429  # the 257th, though the rate would let it in
        await _open_sockets.pop().close()
        await asyncio.sleep(0.2)
        assert await _refused(url) is None  # one closed, one may open
    finally:
        await asyncio.gather(*(socket.close() for socket in _open_sockets))
        _open_sockets.clear()


# For this test only: nginx takes the client address from X-Forwarded-For sent from this machine,
# and says whose the request is, as every limit of limits.conf counts it.
SAY_THE_CLIENT = """
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Forwarded-For;
    location = /test-client { default_type text/plain; return 200 "$seatmap_client"; }
"""


def test_the_proxy_counts_an_ipv6_client_by_its_64_and_an_ipv4_one_by_its_address(shared_server):
    clients = {
        "2001:db8:1:2:3:4:5:6": "2001:db8:1:2",
        "2001:db8:1:2::7": "2001:db8:1:2",  # the same /64
        "2001:DB8:1:2:0:0:0:8": "2001:db8:1:2",  # written otherwise, the same /64
        "2001:db8:5::9": "2001:db8:5:0",
        "2001:db8::1": "2001:db8:0:0",
        "2001:db8:0:0:1::2": "2001:db8:0:0",
        "2001::1": "2001:0:0:0",
        "203.0.113.9": "203.0.113.9",
        "::1": "::1",
    }
    with (
        nginx_in_front_of(shared_server, server_lines=SAY_THE_CLIENT) as proxy,
        httpx.Client(base_url=proxy) as http,
    ):
        said = {
            address: http.get("/test-client", headers={"X-Forwarded-For": address}).text
            for address in clients
        }
    assert said == clients


def test_the_proxy_hands_a_strangers_large_upload_to_the_server_unread_and_limits_uploads(
    shared_server,
):
    """seatmap.conf streams the layout upload to the server, which refuses a stranger's 3 MiB
    from the request's head; limits.conf counts each address's upload POSTs, not the form."""
    with nginx_in_front_of(shared_server) as proxy:
        stranger = declared_upload_answer(proxy)
        assert stranger.startswith(b"HTTP/1.1 413"), stranger
        assert b'"code":"too_large"' in stranger  # the server's answer, not nginx's form
        with httpx.Client(base_url=proxy) as http:
            posts = [http.post(LAYOUT_ADD, content=b"x").status_code for _ in range(15)]
            refused = http.post(LAYOUT_ADD, content=b"x")
            forms = {http.get(LAYOUT_ADD).status_code for _ in range(15)}
    assert 429 not in posts[:9] and posts.count(429) >= 4, posts
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert 429 not in forms  # the form's page (a redirect to the login here) is not counted
