"""The waiting room under faults (API.md "Waiting room"), with real server processes, a Redis of
the test's own and PostgreSQL: Redis lost pauses admission while issued turns keep working, and
the queue comes back from PostgreSQL; a killed server process takes nobody's place with it."""

import asyncio
import json
import signal
import time
from collections.abc import Callable
from typing import TypeVar

import httpx
import pytest
import websockets

from harness.servers import free_port, server_process, token
from realtime.tests.test_servers import own_redis
from reservations.tests.factories import VerifiedUserFactory
from reservations.tests.queue_rooms import event_with_room

from .clients import next_of_type, ws_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TICK = "0.3"
T = TypeVar("T")


def _until(read: Callable[[], T], holds: Callable[[T], bool], within: float = 15) -> T:
    deadline = time.monotonic() + within
    while True:
        state = read()
        if holds(state):
            return state
        assert time.monotonic() < deadline, f"never happened; last: {state}"
        time.sleep(0.1)


def test_redis_lost_pauses_admission_turns_keep_working_and_the_queue_comes_back(stack_env):
    # Ten seats, at most two buyers called at once, a claim window of one second: with
    # Redis there, numbers keep being called as the called ones fail to claim.
    event = event_with_room(seats=10, on_sale_in=2, max_active=2, claim_seconds=1)
    names = [f"buyer{i}" for i in range(8)]
    for name in names:
        VerifiedUserFactory(username=name)
    port = free_port()
    with own_redis(port) as redis_process:
        env = {**stack_env, "REDIS_URL": f"redis://127.0.0.1:{port}/0", "QUEUE_TICK_SECONDS": TICK}
        with server_process(env) as (_, base), httpx.Client(base_url=base, timeout=30) as http:
            auth = {name: token(base, name) for name in names}
            queue = f"/api/events/{event.id}/queue/"
            for name in names:
                assert http.post(f"{queue}join/", json={}, headers=auth[name]).status_code == 200

            def read(name="buyer0"):
                return http.get(queue, headers=auth[name]).json()

            _until(read, lambda s: s["state"] == "admitting" and s["serving"] >= 1)
            numbers = {read(name)["place"]["number"]: name for name in names}

            def claim_of_the_last_called():
                # Its window is the longest left: on a slow machine the first called may have
                # let a window of one second end while the eight places were read.
                called = numbers[read()["serving"]]
                return called, http.post(f"{queue}claim/", json={}, headers=auth[called]).json()

            holder, claimed = _until(claim_of_the_last_called, lambda c: "turn" in c[1])
            turn = claimed["turn"]

            redis_process.send_signal(signal.SIGKILL)
            redis_process.wait(timeout=10)
            paused = _until(read, lambda s: s["state"] == "paused")
            assert paused["reason"] == "redis"
            time.sleep(1.5)  # claim windows end: with Redis there, more would be called now
            assert read()["serving"] == paused["serving"]
            # A turn issued before the loss still takes seats.
            seat = event.seats.order_by("id").first()
            held = http.post(
                f"/api/events/{event.id}/seats/{seat.id}/lock/",
                json={},
                headers={**auth[holder], "Queue-Turn": turn["token"]},
            )
            assert held.status_code == 200, held.text

            with own_redis(port):
                back = _until(read, lambda s: s["state"] == "admitting")
                assert back["reread"] == paused["reread"] + 1
                _until(read, lambda s: s["serving"] > paused["serving"])


def test_a_killed_server_process_takes_nobodys_place(stack_env):
    event = event_with_room(seats=4, on_sale_in=3600)
    VerifiedUserFactory(username="alice")

    async def place_over_the_socket(base: str, access: str) -> dict:
        async with websockets.connect(ws_url(base, event.id)) as socket:
            first = json.loads(await socket.recv())
            assert first["type"] == "queue" and first["event_id"] == event.id
            await socket.send(json.dumps({"type": "auth", "token": access}))
            return await next_of_type(socket, "place")

    with server_process(stack_env) as (process, base):
        bearer = token(base, "alice")
        access = bearer["Authorization"].split()[1]
        joined = httpx.post(f"{base}/api/events/{event.id}/queue/join/", json={}, headers=bearer)
        before = asyncio.run(place_over_the_socket(base, access))
        assert before["entry_id"] == joined.json()["place"]["entry_id"]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    with server_process(stack_env) as (_, base):
        after = asyncio.run(place_over_the_socket(base, access))
        assert after == before
        mine = httpx.get(f"{base}/api/events/{event.id}/queue/", headers=bearer).json()["place"]
        assert mine["entry_id"] == before["entry_id"]
