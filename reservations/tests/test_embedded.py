"""The embedded default (no DATABASE_URL, no REDIS_URL: SQLite and the in-memory layer) serves
the API and the socket: a smoke test against a real server process."""

import asyncio
import json

import httpx
import pytest
import websockets

from harness.servers import full_stack_env, manage_each, migrated_sqlite, running_server
from reservations.management.commands.seed_demo import grid_event_id

from .webhook_receiver import Receiver

pytestmark = pytest.mark.slow


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def embedded_env(tmp_path, receiver):
    """The demo seeded on a migrated SQLite file, with a webhook endpoint at `receiver` for
    the bookings: one start-up of Django for both."""
    env = full_stack_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="")
    migrated_sqlite(env)
    seeded, _ = manage_each(
        env,
        ("seed_demo",),
        (
            "shell",
            "-c",
            "from reservations.models import WebhookEndpoint; WebhookEndpoint.objects.create("
            f"url='{receiver.url}', event_types=['reservation.confirmed'])",
        ),
    )
    return env, grid_event_id(seeded)


async def test_the_embedded_default_holds_books_and_pushes(embedded_env, receiver):
    env, event_id = embedded_env
    with running_server(env) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/api/health/")).json() == {
                "database": "ok",
                "channel_layer": "ok",
            }
            tokens = (
                await http.post(
                    "/api/token/", json={"username": "alice", "password": "seats-demo-1"}
                )
            ).json()
            auth = {"Authorization": f"Bearer {tokens['access']}"}
            seats = (await http.get(f"/api/events/{event_id}/seats/")).json()["seats"]
            first = seats[0]["id"]

            ws_url = base.replace("http", "ws") + f"/ws/events/{event_id}/"
            async with websockets.connect(ws_url) as socket:
                snapshot = json.loads(await socket.recv())
                assert snapshot["type"] == "state" and snapshot["seats_total"] == 200

                lock = await http.post(
                    f"/api/events/{event_id}/seats/{first}/lock/", json={}, headers=auth
                )
                assert lock.status_code == 200
                pushed = json.loads(await asyncio.wait_for(_next_seats(socket), 5))
                assert (
                    pushed["changes"][0]["id"] == first
                    and pushed["changes"][0]["status"] == "locked"
                )

            # Best available's batch statement, its rows as a VALUES list on SQLite.
            best = await http.post(f"/api/events/{event_id}/best/", json={"count": 3}, headers=auth)
            assert best.status_code == 200
            assert [seat["status"] for seat in best.json()["seats"]] == ["locked"] * 3

            reserve = await http.post(
                f"/api/events/{event_id}/reserve/", json={"seat_ids": [first]}, headers=auth
            )
            assert reserve.status_code == 201
            reservation_id = reserve.json()["reservation"]["id"]
            # `make run` sends its webhooks itself: no worker to start by hand (issue 55).
            (booked,) = await asyncio.to_thread(receiver.wait_for, 1)
            assert json.loads(booked.body)["data"]["id"] == reservation_id
            # The demo's door: the organiser scans the ticket in, once (the gate's count is
            # SQLite's upsert).
            code = await http.get(f"/api/reservations/{reservation_id}/tickets/", headers=auth)
            code = code.json()["tickets"][0]["code"]
            organiser = (
                await http.post(
                    "/api/token/", json={"username": "organiser", "password": "seats-demo-1"}
                )
            ).json()
            door = {"Authorization": f"Bearer {organiser['access']}"}
            scans = [
                await http.post(
                    f"/api/door/events/{event_id}/scans/",
                    json={
                        "code": code,
                        "gate": "Main",
                        "scanned_at": "2026-12-24T19:00:00Z",
                        "nonce": f"embedded-{n}",
                    },
                    headers=door,
                )
                for n in (1, 2)
            ]
            assert [scan.status_code for scan in scans] == [200, 409]
            counts = await http.get(f"/api/door/events/{event_id}/counts/", headers=door)
            assert counts.json()["gates"] == {"Main": {"entered": 1, "left": 0, "inside": 1}}
            # The purchase limit (10): one booked and three held, six more, and no eleventh;
            # the long way and the one-statement hold in SQLite's words.
            back_row = [seat["id"] for seat in seats[-7:]]
            six = await http.post(
                f"/api/events/{event_id}/lock/", json={"seat_ids": back_row[:6]}, headers=auth
            )
            assert six.status_code == 200
            eleventh = await http.post(
                f"/api/events/{event_id}/seats/{back_row[6]}/lock/", json={}, headers=auth
            )
            assert (eleventh.status_code, eleventh.json()["code"]) == (409, "purchase_limit")
            assert (eleventh.json()["held"], eleventh.json()["booked"]) == (9, 1)
            cancel = await http.post(
                f"/api/reservations/{reservation_id}/cancel/", json={}, headers=auth
            )
            # Its ticket was let in at the door: the buyer may not cancel it (SQLite's read of
            # the check-ins after the tickets' rows); test_ledger.py cancels on SQLite.
            assert (cancel.status_code, cancel.json()["code"]) == (409, "too_late_to_cancel")
            bad = await http.post(
                f"/api/events/{event_id}/reserve/",
                content=b"{",
                headers={**auth, "Content-Type": "application/json"},
            )
            assert bad.status_code == 400 and bad.json()["code"] == "invalid"


async def _next_seats(socket):
    while True:
        frame = await socket.recv()
        if json.loads(frame)["type"] == "seats":
            return frame
