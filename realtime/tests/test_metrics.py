"""What an operator's scrape of GET /api/metrics/ says of real server processes: their sockets
per event, the booking calls on both paths by answer, the frames and deliveries of a hold pushed
to its watchers, the push lag, the pools; and, with a shared PROMETHEUS_MULTIPROC_DIR, every
process's sum in one scrape through the shipped proxy, a killed process's sockets gone from it."""

import asyncio
import contextlib
import signal

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from harness.nginx import nginx_in_front_of
from harness.servers import server_process, server_processes, token
from harness.waiting import eventually
from realtime.tests.clients import next_of_type, next_seats, ws_url
from reservations.tests.factories import (
    PASSWORD,
    UserFactory,
    VerifiedUserFactory,
    event_with_seats,
)
from reservations.tests.queue_rooms import event_with_room
from reservations.waiting_room.places import place_join

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def scrape(base: str, **headers) -> dict[tuple[str, tuple], float]:
    """Every sample of one scrape, by (name, sorted labels)."""
    response = httpx.get(f"{base}/api/metrics/", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: dict, name: str, **labels) -> float:
    """The sum over every other label (a PromQL `sum by` of the given ones)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


def sockets(samples: dict, event) -> float:
    return value(samples, "seatmap_sockets_open", event=str(event.id), state="watching")


async def log_in(http: httpx.AsyncClient, username: str) -> None:
    """A browser's session (cookie and CSRF): its clicks go through Django, not the fast path."""
    await http.get("/api/csrf/")
    answer = await http.post(
        "/api/login/",
        json={"username": username, "password": PASSWORD},
        headers={"X-CSRFToken": http.cookies["csrftoken"]},
    )
    assert answer.status_code == 200, answer.text
    http.headers["X-CSRFToken"] = http.cookies["csrftoken"]


def test_one_scrape_says_sockets_clicks_deliveries_and_push_lag(stack_env):
    watched = event_with_seats(rows=1, seats_per_row=6)
    other = event_with_seats(rows=1, seats_per_row=2, name="Other")
    UserFactory(username="alice"), UserFactory(username="bob")
    with server_process(stack_env) as (_, base):
        asyncio.run(_clicks_to_three_watchers(base, watched, other))


async def _clicks_to_three_watchers(base, watched, other):
    seats = await asyncio.to_thread(lambda: list(watched.seats.order_by("id")))
    async with contextlib.AsyncExitStack() as stack:
        watchers = [
            await stack.enter_async_context(websockets.connect(ws_url(base, watched.id)))
            for _ in range(3)
        ]
        lone = await stack.enter_async_context(websockets.connect(ws_url(base, other.id)))
        for socket in [*watchers, lone]:
            await next_of_type(socket, "state")
        before = await asyncio.to_thread(scrape, base)
        assert sockets(before, watched) == 3
        assert sockets(before, other) == 1
        assert value(before, "seatmap_deliveries_total", type="snapshot") == 4  # one each

        alice = httpx.AsyncClient(base_url=base, headers=token(base, "alice"), timeout=10)
        bob = httpx.AsyncClient(base_url=base, headers=token(base, "bob"), timeout=10)
        browser = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=10))
        await log_in(browser, "bob")
        for http in (alice, bob):
            await stack.enter_async_context(http)
        lock = f"/api/events/{watched.id}/seats/{{}}/lock/"
        taken = await alice.post(lock.format(seats[0].id))  # the fast path
        assert (taken.status_code, taken.headers.get("x-seatmap-path")) == (200, "fast")
        refused = await bob.post(lock.format(seats[0].id))
        assert refused.status_code == 409 and refused.json()["code"] == "seat_unavailable"
        by_django = await browser.post(lock.format(seats[1].id))
        assert by_django.status_code == 200 and "x-seatmap-path" not in by_django.headers
        refused_by_django = await browser.post(lock.format(seats[0].id))
        assert refused_by_django.status_code == 409
        # Two holds pushed: every watcher of the event has both (in one frame or two).
        for socket in watchers:
            seen = set()
            while len(seen) < 2:
                seen.update(change["id"] for change in (await next_seats(socket))["changes"])

        after = await asyncio.to_thread(scrape, base)
        for path, status, code, count in [
            ("fast", "200", "ok", 1),
            ("fast", "409", "seat_unavailable", 1),
            ("django", "200", "ok", 1),
            ("django", "409", "seat_unavailable", 1),
        ]:
            labels = {"operation": "seat_lock", "path": path, "status": status, "code": code}
            assert value(after, "seatmap_booking_calls_total", **labels) == count, labels
        frames = value(after, "seatmap_frames_total", type="seats")
        assert frames >= 1
        # Each seats frame went to the three watchers, none to the other event's socket.
        assert value(after, "seatmap_deliveries_total", type="seats") == 3 * frames
        lags = value(after, "seatmap_push_lag_seconds_count")
        assert lags == frames
        assert 0 < value(after, "seatmap_push_lag_seconds_sum") < lags * 5

        # The loop's pool (the fast path's hold; its refusal came from memory, no connection)
        # and Django's are sampled every second.
        sampled = eventually(
            lambda: (
                (s := scrape(base))
                and value(s, "seatmap_db_pool_requests_total", pool="loop") >= 1
                and value(s, "seatmap_db_pool_requests_total", pool="django") >= 1
            )
        )
        assert sampled

        for socket in watchers[:2]:
            await socket.close()
    gone = eventually(lambda: sockets(scrape(base), watched) == 0)
    assert gone, "closed sockets still counted"


SCRAPER_TOKEN = "scraper-token-of-the-test"
SCRAPER = {"Authorization": f"Bearer {SCRAPER_TOKEN}"}


def test_two_processes_sum_into_one_scrape_through_the_proxy(stack_env, tmp_path):
    event = event_with_seats(rows=1, seats_per_row=6)
    UserFactory(username="alice")
    env = {
        **stack_env,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "NUM_PROXIES": "1",
        # This machine is not the scraper's: only the token lets it in.
        "METRICS_ALLOWED_NETWORKS": "192.0.2.0/24",
        "METRICS_TOKEN": SCRAPER_TOKEN,
    }
    with (
        server_processes(env, count=2) as [first, second],
        nginx_in_front_of(first.url, second.url) as proxy,
    ):
        # The detailed health is the scraper's too; liveness is anyone's and names nothing.
        assert httpx.get(f"{proxy}/api/health/").status_code == 403
        health = httpx.get(f"{proxy}/api/health/", headers=SCRAPER).json()
        assert health == {"database": "ok", "metrics": "ok", "channel_layer": "ok"}
        assert httpx.get(f"{proxy}/api/health/live/").json() == {"status": "ok"}
        refused = httpx.get(f"{proxy}/api/metrics/")
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
        guessed = httpx.get(f"{proxy}/api/metrics/", headers={"Authorization": "Bearer guess"})
        assert guessed.status_code == 403
        asyncio.run(_two_processes(proxy, first, second, event))
        # A process that stops takes its live gauges out of the directory on its way out.
        first.process.terminate()
        first.process.wait(timeout=10)  # uvicorn ends by its signal, after its shutdown
        assert not list(tmp_path.glob(f"gauge_live*_{first.process.pid}.db"))
        assert list(tmp_path.glob(f"counter_{first.process.pid}.db"))


async def _two_processes(proxy, first, second, event):
    seats = await asyncio.to_thread(lambda: list(event.seats.order_by("id")))
    async with contextlib.AsyncExitStack() as stack:
        urls = [ws_url(first.url, event.id)] * 2 + [ws_url(second.url, event.id)] * 3
        watchers = [await stack.enter_async_context(websockets.connect(url)) for url in urls]
        for socket in watchers:
            await next_of_type(socket, "state")
        async with httpx.AsyncClient(headers=token(proxy, "alice"), timeout=10) as http:
            for base, seat in ((first.url, seats[0]), (second.url, seats[1])):
                answer = await http.post(f"{base}/api/events/{event.id}/seats/{seat.id}/lock/")
                assert answer.status_code == 200, answer.text
        for socket in watchers:
            seen = set()
            while len(seen) < 2:
                seen.update(change["id"] for change in (await next_seats(socket))["changes"])

        # Any one scrape, through the proxy or of either process, says what both did.
        for base in (proxy, first.url, second.url):
            samples = await asyncio.to_thread(scrape, base, **SCRAPER)
            assert sockets(samples, event) == 5
            assert total(samples, "seatmap_booking_calls_total", operation="seat_lock") == 2
            frames = value(samples, "seatmap_frames_total", type="seats")
            assert frames >= 2  # each process encodes its own
            # Every frame went to its process's sockets: at least both holds to all five.
            assert value(samples, "seatmap_deliveries_total", type="seats") >= 5

        # A process killed without a word: its sockets leave the sum, its counts stay.
        second.process.send_signal(signal.SIGKILL)
        second.process.wait(timeout=5)
        samples = await asyncio.to_thread(scrape, proxy, **SCRAPER)
        assert sockets(samples, event) == 2
        assert total(samples, "seatmap_booking_calls_total", operation="seat_lock") == 2


def test_a_waiting_room_s_sockets_and_people_per_event(stack_env):
    event = event_with_room(seats=4, on_sale_in=3600)  # open, before the on-sale
    for name in ("ann", "ben", "cat"):
        place_join(user_id=VerifiedUserFactory(username=name).pk, event_id=event.id)
    with server_process({**stack_env, "QUEUE_TICK_SECONDS": "0.5"}) as (_, base):
        asyncio.run(_two_waiting(base, event))


async def _two_waiting(base, event):
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(2):
            socket = await stack.enter_async_context(websockets.connect(ws_url(base, event.id)))
            await next_of_type(socket, "queue")

        def people(samples, stage):
            return value(samples, "seatmap_queue_people", event=str(event.id), stage=stage)

        def counted():
            samples = scrape(base)
            return (
                value(samples, "seatmap_sockets_open", event=str(event.id), state="waiting"),
                sockets(samples, event),
                people(samples, "joined"),
                people(samples, "called"),
                people(samples, "waiting"),
            )

        assert await asyncio.to_thread(eventually, lambda: counted() == (2, 0, 3, 0, 3)), counted()
