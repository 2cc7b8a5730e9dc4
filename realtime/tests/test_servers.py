"""Real server processes on the full stack: across processes, a connect storm, Redis going away."""

import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import time

import httpx
import pytest
import websockets

from harness.servers import HEALTH, ROOT, free_port, running_server, stop, token
from realtime.tests.clients import lock_as_alice, next_seats, ws_url
from reservations.tests.factories import UserFactory, event_with_seats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_watcher_on_one_process_sees_a_lock_made_through_another(stack_env, shared_server):
    event = event_with_seats(rows=1, seats_per_row=4)
    UserFactory(username="alice")
    seat = event.seats.first()
    with running_server(stack_env) as second:
        asyncio.run(_watch_second_lock_through_first(shared_server, second, event, seat))


async def _watch_second_lock_through_first(first, second, event, seat):
    async with websockets.connect(ws_url(second, event.id)) as watcher:
        snapshot = json.loads(await watcher.recv())
        assert snapshot["type"] == "state"
        response = await lock_as_alice(first, event, seat)
        assert response.status_code == 200
        message = await next_seats(watcher)
        assert message["seq"] == snapshot["seq"] + 1
        assert message["changes"] == [
            {
                "id": seat.id,
                "status": "locked",
                "version": 1,
                "locked_until": response.json()["seat"]["locked_until"],
            }
        ]


def test_a_storm_of_a_thousand_sockets_all_get_their_snapshot(shared_server, many_open_files):
    event = event_with_seats(rows=10, seats_per_row=20)
    asyncio.run(_storm(ws_url(shared_server, event.id)))


async def _storm(url):
    if True:

        async def watch():
            socket = await websockets.connect(url, open_timeout=60, compression=None)
            message = json.loads(await asyncio.wait_for(socket.recv(), 60))
            return socket, message

        results = await asyncio.gather(*(watch() for _ in range(1000)), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        snapshots = [m for r in results if not isinstance(r, BaseException) for m in [r[1]]]
        assert failures == []
        assert len(snapshots) == 1000
        assert all(m["type"] == "state" and len(m["status"]) == 200 for m in snapshots)
        await asyncio.gather(*(r[0].close() for r in results))


@contextlib.contextmanager
def own_redis(port):
    """A Redis of this test's own, on its own port, that the test can stop and start."""
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode:
        assert time.monotonic() < deadline, "redis did not start"
        time.sleep(0.05)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_deployments_on_two_redis_databases_do_not_hear_each_other(stack_env, shared_server):
    """Redis pub/sub channels are not scoped by database number: the layer's prefix is."""
    event = event_with_seats(rows=1, seats_per_row=2)
    UserFactory(username="alice")
    seat = event.seats.first()
    redis_url = stack_env["REDIS_URL"]
    other_db = redis_url.rsplit("/", 1)[0] + "/" + str(int(redis_url.rsplit("/", 1)[1]) + 1)
    with running_server({**stack_env, "REDIS_URL": other_db}) as theirs:
        asyncio.run(_lock_heard_only_by_ours(shared_server, theirs, event, seat))


async def _lock_heard_only_by_ours(ours, theirs, event, seat):
    async with (
        websockets.connect(ws_url(ours, event.id)) as ours_watcher,
        websockets.connect(ws_url(theirs, event.id)) as theirs_watcher,
    ):
        await ours_watcher.recv()
        await theirs_watcher.recv()
        response = await lock_as_alice(ours, event, seat)
        assert response.status_code == 200
        assert (await next_seats(ours_watcher))["changes"][0]["id"] == seat.id
        with pytest.raises(TimeoutError):
            await next_seats(theirs_watcher, within=1.0)


def test_redis_going_away_keeps_bookings_working_and_once_back_new_watchers_and_pushes(stack_env):
    event = event_with_seats(rows=1, seats_per_row=6)
    UserFactory(username="alice")
    asyncio.run(_redis_outage(stack_env, event, list(event.seats.order_by("id"))))


async def _redis_outage(stack_env, event, seats):
    port = free_port()
    env = {**stack_env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    redis_server = own_redis(port)
    redis_server.__enter__()
    try:
        with running_server(env) as base:
            auth = token(base, "alice")
            lock = f"{base}/api/events/{event.id}/seats/{{}}/lock/"
            async with httpx.AsyncClient(headers=auth) as http:
                watcher = await websockets.connect(ws_url(base, event.id))
                snapshot = json.loads(await watcher.recv())
                assert (await http.post(lock.format(seats[0].id), json={})).status_code == 200
                assert (await next_seats(watcher))["seq"] == snapshot["seq"] + 1

                redis_server.__exit__(None, None, None)
                response = await http.post(lock.format(seats[1].id), json={})
                assert response.status_code == 200, response.text
                health = await http.get(f"{base}/api/health/")
                assert health.status_code == 503 and health.json()["channel_layer"] == "down"
                # The watcher is not left silently stale: the server closes it to reconnect.
                with pytest.raises(websockets.ConnectionClosed):
                    await next_seats(watcher, within=10)

                redis_server = own_redis(port)
                redis_server.__enter__()
                # The relay is back by now; the pooled connections Redis closed are not, and a
                # new watcher is not closed (4503) for them: its first try gets the snapshot.
                await asyncio.sleep(2)
                watcher = await websockets.connect(ws_url(base, event.id))
                try:
                    resumed = json.loads(await asyncio.wait_for(watcher.recv(), 10))
                except websockets.ConnectionClosed as closed:
                    code = closed.rcvd.code if closed.rcvd else None
                    raise AssertionError(f"closed with {code} before a snapshot") from closed
                assert resumed["type"] == "state"
                assert resumed["epoch"] != snapshot["epoch"], "Redis lost the counter: new epoch"
                # `seats` in id order, the map's: the lock made during the outage is there.
                assert resumed["status"][1] == "l"
                assert (await http.post(lock.format(seats[2].id), json={})).status_code == 200
                message = await next_seats(watcher)
                assert message["changes"][0]["id"] == seats[2].id
                assert (await http.get(f"{base}/api/health/")).status_code == 200
                await watcher.close()
    finally:
        redis_server.__exit__(None, None, None)


def test_the_sockets_essentials_under_daphne_close_with_protocol_codes(stack_env):
    """daphne serves the same app (README): a snapshot, a live change, and PROTOCOL.md's close
    code for an unknown event (4404; before, daphne's WebSocket refused the code as an IntEnum
    and closed 1011). A frame over 4 KiB: daphne's WebSocket (autobahn) lets no app send
    1009 and drops the connection itself (1006), which a client answers as it does 1009
    (PROTOCOL.md "Closing")."""
    event = event_with_seats(rows=1, seats_per_row=4)
    UserFactory(username="alice")
    seat = event.seats.first()
    with running_server(stack_env, server="daphne") as base:
        asyncio.run(_daphne_essentials(base, event, seat))


async def _daphne_essentials(base, event, seat):
    async with websockets.connect(ws_url(base, 2**62)) as unknown:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(unknown.recv(), 10)
    assert unknown.close_code == 4404
    async with websockets.connect(ws_url(base, event.id)) as watcher:
        assert json.loads(await watcher.recv())["type"] == "state"
        assert (await lock_as_alice(base, event, seat)).status_code == 200
        assert (await next_seats(watcher))["changes"][0]["id"] == seat.id
        await watcher.send('{"type": "ping", "pad": "' + "x" * 5000 + '"}')
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(watcher.recv(), 10)
    assert watcher.close_code == 1006


def test_a_frame_over_4_kib_closes_the_socket_under_daphne_started_with_no_limit_of_its_own(
    stack_env,
):
    """daphne as anyone starts it reads frames up to 1 MiB and hands them to the app, which
    refuses one over 4 KiB; daphne lets no app send 1009, so the socket is closed with 1000
    (PROTOCOL.md "Closing"), the event's and the account's alike."""
    event = event_with_seats(rows=1, seats_per_row=2)
    with _plain_daphne(stack_env) as base:
        asyncio.run(_frame_over_4_kib_closed(ws_url(base, event.id), first="state"))
        asyncio.run(_frame_over_4_kib_closed(base.replace("http://", "ws://") + "/ws/me/"))


@contextlib.contextmanager
def _plain_daphne(env):
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-p", str(port), "config.asgi:application"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(base + HEALTH):
            assert time.monotonic() < deadline and process.poll() is None, "daphne did not start"
            time.sleep(0.2)
        yield base
    finally:
        stop(process)


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=2).status_code == 200
    return False


async def _frame_over_4_kib_closed(url, first=None):
    async with websockets.connect(url) as socket:
        if first is not None:
            assert json.loads(await socket.recv())["type"] == first
        await socket.send('{"type": "ping", "pad": "' + "x" * 5000 + '"}')
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(socket.recv(), 10)
    assert socket.close_code == 1000
