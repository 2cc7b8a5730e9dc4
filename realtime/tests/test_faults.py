"""Faults under a live server: PostgreSQL restarted under load, the sweeper killed and restarted.

PostgreSQL is one of the test's own (initdb in a temporary directory, run as the `postgres`
user), so stopping it disturbs nobody else on the machine.
"""

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
import websockets

from harness.servers import ROOT, free_port, manage_each, running_server
from realtime.tests.clients import lock_as_alice, next_of_type, next_seats, ws_url
from reservations.tests.factories import PASSWORD, UserFactory, event_with_seats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# The clicks' rows on the test's own database: alice, and an event with the three seats they use
# (the demo's 20,000 seats cost seconds of CPU to seed and are no part of the claim).
SEED = (
    "from reservations.tests.factories import UserFactory, event_with_seats;"
    "UserFactory(username='alice');"
    "print(event_with_seats(rows=1, seats_per_row=3).pk)"
)


class OwnPostgres:
    """A PostgreSQL server of this test's own that it can stop and start."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="seatmap-pg-"))
        postgres = pwd.getpwnam("postgres")
        os.chown(self.dir, postgres.pw_uid, postgres.pw_gid)
        self._as_postgres(
            PG_BIN / "initdb", "-D", self.dir / "data", "-U", "postgres", "-A", "trust"
        )

    def _as_postgres(self, *command) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        data, log = self.dir / "data", self.dir / "log"
        self._as_postgres(PG_BIN / "pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def test_postgresql_restarted_under_load_answers_503_writes_nothing_half_and_comes_back(
    stack_env,
):
    port = free_port()
    database = OwnPostgres(port)
    try:
        database.start()
        url = f"postgres://postgres@127.0.0.1:{port}/seatmap"
        psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/postgres", autocommit=True).execute(
            "CREATE DATABASE seatmap"
        )
        env = {**stack_env, "DATABASE_URL": url}
        event_id = int(
            manage_each(env, ("migrate", "--noinput"), ("shell", "--no-imports", "-c", SEED))[1]
        )
        with running_server(env) as base:
            outcomes = asyncio.run(_clicks_while_postgres_restarts(base, event_id, database))
        statuses = {status for phase in outcomes.values() for status, _ in phase}
        # A 409 is an answer too: a call whose commit happened but whose answer was lost to the
        # outage (a 503) leaves its seat held or booked, and the next round's call is refused.
        refusals = {code for phase in outcomes.values() for status, code in phase if status == 409}
        assert statuses <= {200, 409, 503}, f"only answers and 503s: {outcomes}"
        assert refusals <= {"seat_unavailable", "not_holder", "lock_required"}, outcomes
        down = [code for status, code in outcomes["down"] if status == 503]
        assert down and set(down) == {"unavailable"}, outcomes["down"]
        assert any(status == 200 for status, _ in outcomes["after"]), "it came back by itself"
        _nothing_half_written(url, event_id)
    finally:
        database.remove()


async def _clicks_while_postgres_restarts(base, event_id, database):
    outcomes = {"before": [], "down": [], "after": []}
    phase = "before"
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        login = await http.post("/api/token/", json={"username": "alice", "password": PASSWORD})
        bearer = {"Authorization": f"Bearer {login.json()['access']}"}
        seats = (await http.get(f"/api/events/{event_id}/seats/")).json()["seats"]
        # One seat of each path: while PostgreSQL is down each call waits out the server's pool
        # (3 s) before its 503, and a second seat on the same path would prove nothing more.
        single, pair = [s["id"] for s in seats[:1]], [s["id"] for s in seats[1:3]]

        async def one_round():
            # The fast path (one seat, bearer) and the Django path (several seats, a booking).
            for seat_id in single:
                for action in ("lock", "unlock"):
                    r = await http.post(
                        f"/api/events/{event_id}/seats/{seat_id}/{action}/", headers=bearer
                    )
                    outcomes[phase].append((r.status_code, r.json().get("code")))
                    if r.status_code != 200:
                        break  # a lock that was not taken has nothing to unlock (409 not_holder)
            r = await http.post(
                f"/api/events/{event_id}/lock/", json={"seat_ids": pair}, headers=bearer
            )
            outcomes[phase].append((r.status_code, r.json().get("code")))
            if r.status_code == 200:
                r = await http.post(
                    f"/api/events/{event_id}/reserve/",
                    json={"seat_ids": pair},
                    headers={**bearer, "Idempotency-Key": uuid.uuid4().hex},
                )
                outcomes[phase].append((r.status_code, r.json().get("code")))
                if r.status_code == 201:
                    reservation = r.json()["reservation"]["id"]
                    r = await http.post(f"/api/reservations/{reservation}/cancel/", headers=bearer)
                    outcomes[phase].append((r.status_code, r.json().get("code")))

        for _ in range(3):
            await one_round()
        phase = "down"
        await asyncio.to_thread(database.stop)
        await one_round()
        await asyncio.to_thread(database.start)
        phase = "after"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            await one_round()
            if outcomes["after"][-1][0] in (200, 201):
                break
            await asyncio.sleep(0.2)
    # Statuses of the booking calls: 201 for a reservation counts as an answer.
    for name, phase_outcomes in outcomes.items():
        outcomes[name] = [(200 if s == 201 else s, c) for s, c in phase_outcomes]
    return outcomes


def _nothing_half_written(url, event_id):
    with psycopg.connect(url) as connection:
        half = connection.execute(
            """
            SELECT r.id FROM reservations_reservation r
            JOIN reservations_reservedseat rs ON rs.reservation_id = r.id
            JOIN reservations_seat s ON s.id = rs.seat_id
            WHERE r.status = 'confirmed' AND s.status <> 'reserved'
            """
        ).fetchall()
        assert half == [], "a confirmed reservation with a seat that is not reserved"
        stray = connection.execute(
            """
            SELECT s.id FROM reservations_seat s WHERE s.event_id = %s AND s.status = 'reserved'
            AND NOT EXISTS (
              SELECT 1 FROM reservations_reservedseat rs
              JOIN reservations_reservation r ON r.id = rs.reservation_id
              WHERE rs.seat_id = s.id AND r.status = 'confirmed')
            """,
            [event_id],
        ).fetchall()
        assert stray == [], "a reserved seat without a confirmed reservation"


def test_the_sweeper_frees_ended_holds_for_watchers_within_two_seconds_and_again_after_a_kill(
    stack_env,
):
    """The sweeper process pushes each hold's end to the watchers within 2 s of it; killed, it
    pushes nothing (the hold has ended for every read all the same), and a new one it pushes."""
    event = event_with_seats(rows=1, seats_per_row=3)
    UserFactory(username="alice")
    env = {**stack_env, "SEAT_LOCK_SECONDS": "1"}
    sweeper = _sweeper(env)  # started first: its Django is up by the time the first hold ends
    try:
        with running_server(env) as base:
            asyncio.run(_sweeper_away(base, env, event, sweeper))
    finally:
        sweeper.kill()
        sweeper.wait(timeout=10)


def _sweeper(env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "sweep_locks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _sweeper_away(base, env, event, sweeper):
    first, second = await asyncio.to_thread(lambda: list(event.seats.order_by("id")[:2]))
    async with websockets.connect(ws_url(base, event.id)) as watcher:
        await next_of_type(watcher, "state")
        assert (await lock_as_alice(base, event, first)).status_code == 200
        # The hold's end as its push says it (the answer, read after a slow second, may show the
        # one-second hold over already).
        (locked,) = (await next_seats(watcher))["changes"]
        assert locked["status"] == "locked"
        locked_until = datetime.fromisoformat(locked["locked_until"])
        freed = await next_seats(watcher, within=5)
        arrived = datetime.now(UTC)
        assert freed["changes"] == [
            {"id": first.id, "status": "available", "version": 2, "locked_until": None}
        ]
        assert arrived - locked_until < timedelta(seconds=2)

        sweeper.send_signal(signal.SIGKILL)  # up and sweeping: it has just freed the first
        sweeper.wait(timeout=5)
        assert (await lock_as_alice(base, event, second)).status_code == 200
        assert (await next_seats(watcher))["changes"][0]["status"] == "locked"
        with pytest.raises(TimeoutError):  # nobody sweeps: no message ...
            await next_seats(watcher, within=2.5)
        async with httpx.AsyncClient() as http:  # ... but the hold has ended for everyone
            listed = (await http.get(f"{base}/api/events/{event.id}/seats/")).json()["seats"]
        assert {s["id"]: s["status"] for s in listed}[second.id] == "available"
        restarted = _sweeper(env)
        try:
            # A new process: Django's start-up alone takes seconds on a busy 2-core machine.
            freed = await next_seats(watcher, within=20)
            assert freed["changes"][0]["id"] == second.id
            assert freed["changes"][0]["status"] == "available"
        finally:
            restarted.kill()
            restarted.wait(timeout=10)
