"""The live map (realtime/live_map.py) on real server processes, PostgreSQL and Redis: what an
arriving buyer reads (`state/`, `holds/`, a snapshot, a resumed socket) is the database's state,
and a click on a seat the map shows taken is refused without a transaction, on both paths."""

import asyncio
import gzip
import json
import time
from collections import Counter
from datetime import timedelta

import brotli
import httpx
import psycopg
import pytest
import websockets
from django.db import connection
from django.utils import timezone

from harness.servers import running_server, token
from harness.waiting import eventually
from realtime.tests.clients import next_of_type, ws_url
from reservations.models import PriceCategory, Seat
from reservations.services.categories import seats_category_set
from reservations.tests.factories import UserFactory, event_with_seats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def seat_list_states(base, event_id):
    seats = httpx.get(f"{base}/api/events/{event_id}/seats/").json()["seats"]
    return [(s["id"], s["status"][0], s["version"], s["locked_until"]) for s in seats]


def state_states(state):
    ids = sorted(Seat.objects.filter(event_id=state["event_id"]).values_list("id", flat=True))
    until = state["locked_until"]
    return [
        (seat_id, letter, version, until.get(str(seat_id)))
        for seat_id, letter, version in zip(ids, state["status"], state["version"], strict=True)
    ]


def test_the_state_an_arrival_reads_is_the_databases_and_shows_what_was_just_done(shared_server):
    event = event_with_seats(rows=2, seats_per_row=5)
    UserFactory(username="alice")
    UserFactory(username="bob")
    a, b, c, d = event.seats.order_by("id")[:4]
    base = shared_server
    alice, bob = token(base, "alice"), token(base, "bob")
    url = f"{base}/api/events/{event.id}"
    with httpx.Client(base_url=url) as http:
        first = http.get("/state/")
        assert first.status_code == 200 and first.headers["x-seatmap-path"] == "fast"
        assert first.headers["cache-control"] == "no-store"
        # Each answered by this server, then read at once: the reader sees it done.
        assert http.post(f"/seats/{a.id}/lock/", json={}, headers=alice).status_code == 200
        assert http.get("/state/").json()["status"][0] == "l"
        assert http.post("/lock/", json={"seat_ids": [b.id, c.id]}, headers=bob).is_success
        reserved = http.post("/reserve/", json={"seat_ids": [b.id, c.id]}, headers=bob)
        assert reserved.status_code == 201
        assert http.get("/state/").json()["status"][1:3] == "rr"
        http.post(f"/seats/{d.id}/lock/", json={}, headers=bob)
        cancel = f"{base}/api/reservations/{reserved.json()['reservation']['id']}/cancel/"
        assert httpx.post(cancel, json={}, headers=bob).status_code == 200
        state = http.get("/state/").json()

        assert state["seats_total"] == 10 and state["epoch"]
        assert state_states(state) == seat_list_states(base, event.id)
        # Its `seq` may still trail the five commits (their messages on their way back):
        # the states are ahead of it, never behind, and a socket resumed from it replays.
        assert 0 <= state["seq"] <= 5
        assert eventually(lambda: http.get("/state/").json()["seq"] == 5)
        assert state["status"][:4] == "laal"

        holds = http.get("/holds/", headers=bob).json()
        assert holds == {
            "event_id": event.id,
            "seats": [{"id": d.id, "locked_until": state["locked_until"][str(d.id)]}],
            "booked": [],  # cancelled
        }
        assert http.post("/reserve/", json={"seat_ids": [a.id]}, headers=alice).is_success
        assert http.get("/holds/", headers=alice).json()["booked"] == [a.id]
        assert http.get("/holds/", headers=alice).json()["seats"] == []


def test_the_state_is_sent_in_the_coding_asked_for_and_says_which(shared_server):
    event = event_with_seats(rows=20, seats_per_row=50)
    base = shared_server
    url = f"{base}/api/events/{event.id}/state/"
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
    with httpx.Client() as http:  # raw bodies: httpx would decode gzip itself
        br = http.send(
            http.build_request("GET", url, headers={"Accept-Encoding": "br"}), stream=True
        )
        br_body = b"".join(br.iter_raw())
        gz = http.send(
            http.build_request("GET", url, headers={"Accept-Encoding": "gzip"}), stream=True
        )
        gz_body = b"".join(gz.iter_raw())

    assert plain.headers.get("content-encoding") is None
    assert br.headers["content-encoding"] == "br" and gz.headers["content-encoding"] == "gzip"
    assert brotli.decompress(br_body) == plain.content == gzip.decompress(gz_body)
    assert len(br_body) < len(plain.content) / 5
    assert all(r.headers["vary"].lower().endswith("accept-encoding") for r in (plain, br, gz))


def test_state_and_holds_refuse_in_the_api_shape(shared_server):
    event = event_with_seats(rows=1, seats_per_row=2)
    base = shared_server
    unknown = httpx.get(f"{base}/api/events/{event.id + 1000}/state/")
    anonymous_holds = httpx.get(f"{base}/api/events/{event.id}/holds/")
    bad_token = httpx.get(
        f"{base}/api/events/{event.id}/holds/", headers={"Authorization": "Bearer nope"}
    )

    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert anonymous_holds.status_code == 401
    assert anonymous_holds.json()["code"] == "not_authenticated"
    assert bad_token.status_code == 401 and bad_token.json()["code"] == "not_authenticated"


def test_a_socket_opened_from_the_state_resumes_without_a_snapshot(stack_env):
    event = event_with_seats(rows=1, seats_per_row=6)
    UserFactory(username="alice")
    seats = list(event.seats.order_by("id"))
    # Each transaction its own message, so that the server's last 64 are soon behind a client.
    with running_server(stack_env | {"WS_COALESCE_SECONDS": "0"}) as base:
        asyncio.run(_resume_from_state(base, event, seats))


async def _resume_from_state(base, event, seats):
    alice = token(base, "alice")
    lock = f"{base}/api/events/{event.id}/seats/{{}}/lock/"
    async with (
        httpx.AsyncClient() as http,
        websockets.connect(ws_url(base, event.id)) as first_watcher,
    ):
        await next_of_type(first_watcher, "state")
        await http.post(lock.format(seats[0].id), json={}, headers=alice)
        await next_of_type(first_watcher, "seats")
        state = (await http.get(f"{base}/api/events/{event.id}/state/")).json()
        await http.post(lock.format(seats[1].id), json={}, headers=alice)
        await next_of_type(first_watcher, "seats", until=lambda m: m["seq"] > state["seq"])

        # Sent after the state was read, before this socket came: replayed, not snapshotted.
        query = f"?epoch={state['epoch']}&seq={state['seq']}"
        async with websockets.connect(ws_url(base, event.id, query)) as resumed:
            first = json.loads(await resumed.recv())
            assert first == {
                "type": "resumed",
                "event_id": event.id,
                "epoch": state["epoch"],
                "seq": state["seq"],
            }
            replayed = await next_of_type(resumed, "seats")
            assert replayed["first_seq"] <= state["seq"] + 1 <= replayed["seq"]
            assert [c["id"] for c in replayed["changes"]] == [seats[1].id]
            await http.post(lock.format(seats[2].id), json={}, headers=alice)
            live = await next_of_type(resumed, "seats")
            assert live["first_seq"] == replayed["seq"] + 1
            assert [c["id"] for c in live["changes"]] == [seats[2].id]

        unlock = f"{base}/api/events/{event.id}/seats/{seats[3].id}/unlock/"
        for _ in range(35):
            await http.post(lock.format(seats[3].id), json={}, headers=alice)
            await http.post(unlock, json={}, headers=alice)
        await next_of_type(first_watcher, "seats", until=lambda m: m["seq"] >= state["seq"] + 72)

        # Another epoch, a position too far back, or no position: a snapshot.
        too_far_back = f"?epoch={state['epoch']}&seq={state['seq']}"
        for query in ("?epoch=other&seq=1", "?epoch=&seq=x", "?seq=3", too_far_back):
            async with websockets.connect(ws_url(base, event.id, query)) as fresh:
                assert json.loads(await fresh.recv())["type"] == "state"


def _conninfo():
    settings = connection.settings_dict
    return f"dbname={settings['NAME']} user=postgres host=127.0.0.1"


@pytest.mark.parametrize("path", ["fast", "django"])
def test_a_click_on_a_seat_the_map_shows_held_is_refused_without_a_transaction(stack_env, path):
    """Bob's user row is locked by another transaction for the whole test: any click of his
    that reaches the database waits on it (the booking steps lock the caller's row first).
    Refused from memory, it is answered at once. Alice, the holder, is answered as before.

    Negative control: with `live_seats.refusal` answering None, both paths wait on the row
    lock and the click times out (seen)."""
    event = event_with_seats(rows=1, seats_per_row=3)
    UserFactory(username="alice")
    bob = UserFactory(username="bob")
    seat = event.seats.order_by("id").first()
    env = stack_env | ({"ANSWER_ON_LOOP": "0"} if path == "django" else {})
    with running_server(env) as base:
        asyncio.run(_refused_from_memory(base, event, seat, bob))


async def _refused_from_memory(base, event, seat, bob):
    alice_token, bob_token = token(base, "alice"), token(base, "bob")
    lock = f"{base}/api/events/{event.id}/seats/{seat.id}/lock/"
    async with (
        httpx.AsyncClient(timeout=10) as http,
        websockets.connect(ws_url(base, event.id)) as watcher,
    ):  # the map is kept
        await next_of_type(watcher, "state")
        assert (await http.post(lock, json={}, headers=alice_token)).status_code == 200
        await next_of_type(watcher, "seats")

        with await asyncio.to_thread(psycopg.connect, _conninfo()) as blocker:
            await asyncio.to_thread(
                blocker.execute, "SELECT 1 FROM auth_user WHERE id = %s FOR UPDATE", (bob.id,)
            )
            async with asyncio.timeout(3):
                refused = await http.post(lock, json={}, headers=bob_token)
            blocker.rollback()

        assert refused.status_code == 409
        assert refused.json() == {
            "error": f"Seat {seat.label} is already held or booked by another customer.",
            "code": "seat_unavailable",
            "seats": [seat.id],
        }
        again = await http.post(lock, json={}, headers=alice_token)  # the holder's own
        assert again.status_code == 200 and again.json()["seat"]["mine"] is True


@pytest.mark.parametrize("path", ["fast", "django"])
def test_a_hot_seat_watched_by_its_server_still_has_exactly_one_winner(stack_env, path):
    """Forty buyers at once, then forty more once the first wave is answered (the map shows
    the winner's hold by then): one winner in all, every other click seat_unavailable."""
    event = event_with_seats(rows=1, seats_per_row=3)
    users = [UserFactory(username=f"hot{i}") for i in range(80)]
    seat = event.seats.order_by("id").first()
    env = stack_env | ({"ANSWER_ON_LOOP": "0", "HTTP_THREADS": "16"} if path == "django" else {})
    with running_server(env) as base:
        tokens = [token(base, user.username) for user in users]
        answers = asyncio.run(_two_waves(base, event, seat, tokens))

    assert Counter(code for _, code in answers) == {"ok": 1, "seat_unavailable": 79}
    winner = next(i for i, (_, code) in enumerate(answers) if code == "ok")
    seat.refresh_from_db()
    assert seat.status == "locked" and seat.held_by_id == users[winner].id
    assert seat.version == 1
    assert {where for where, _ in answers} == ({"fast"} if path == "fast" else {None})


async def _two_waves(base, event, seat, tokens):
    lock = f"{base}/api/events/{event.id}/seats/{seat.id}/lock/"
    limits = httpx.Limits(max_connections=100)
    async with (
        httpx.AsyncClient(timeout=30, limits=limits) as http,
        websockets.connect(ws_url(base, event.id)) as watcher,
    ):
        await next_of_type(watcher, "state")

        async def click(headers):
            response = await http.post(lock, json={}, headers=headers)
            code = "ok" if response.status_code == 200 else response.json()["code"]
            return response.headers.get("x-seatmap-path"), code

        first = await asyncio.gather(*(click(t) for t in tokens[:40]))
        await next_of_type(watcher, "seats")
        second = await asyncio.gather(*(click(t) for t in tokens[40:]))
        return first + second


def test_a_hold_that_ended_is_free_in_the_state_and_to_the_next_click(shared_server):
    """The map keeps a hold as it was sent; its end is read at the moment of answering."""
    event = event_with_seats(rows=1, seats_per_row=2)
    UserFactory(username="alice")
    bob = UserFactory(username="bob")
    seat = event.seats.order_by("id").first()
    base = shared_server
    ends = timezone.now() + timedelta(seconds=2)
    Seat.objects.filter(pk=seat.pk).update(status="locked", held_by=bob, held_until=ends, version=1)
    url = f"{base}/api/events/{event.id}"
    assert httpx.get(f"{url}/state/").json()["status"][0] == "l"
    time.sleep(max(0.0, (ends - timezone.now()).total_seconds()) + 0.2)
    assert httpx.get(f"{url}/state/").json()["status"][0] == "a"
    taken = httpx.post(f"{url}/seats/{seat.id}/lock/", json={}, headers=token(base, "alice"))
    assert taken.status_code == 200


def test_the_event_detail_counts_what_the_seat_list_shows_from_memory_and_after_a_move(
    shared_server,
):
    """Counted from the live map while the server keeps one (a socket watches), and from the
    database once a seat moved category (the map was read before: its map version is old)."""
    event = event_with_seats(rows=2, seats_per_row=5)
    UserFactory(username="alice")
    premium = PriceCategory.objects.create(event=event, name="Premium", price=90, colour="#8e44ad")
    seats = list(event.seats.order_by("id"))
    Seat.objects.filter(pk__in=[s.pk for s in seats[:4]]).update(category=premium, price=90)
    base = shared_server
    asyncio.run(_detail_counts(base, event, seats, premium))


def _counted_from_the_seat_list(base, event_id):
    counts = Counter()
    for seat in httpx.get(f"{base}/api/events/{event_id}/seats/").json()["seats"]:
        counts[(seat["category"], "total")] += 1
        counts[(seat["category"], "available")] += seat["status"] == "available"
    return counts


def _counted_in_the_detail(detail):
    counts = Counter()
    for category in detail["categories"]:
        counts[(category["id"], "total")] = category["seats_total"]
        counts[(category["id"], "available")] = category["seats_available"]
    return counts


async def _detail_counts(base, event, seats, premium):
    alice = token(base, "alice")
    url = f"{base}/api/events/{event.id}"
    async with httpx.AsyncClient() as http, websockets.connect(ws_url(base, event.id)) as watcher:
        await next_of_type(watcher, "state")
        await http.post(
            f"{url}/lock/", json={"seat_ids": [seats[0].id, seats[5].id]}, headers=alice
        )
        await http.post(f"{url}/reserve/", json={"seat_ids": [seats[0].id]}, headers=alice)
        detail = (await http.get(f"{url}/")).json()
        expected = await asyncio.to_thread(_counted_from_the_seat_list, base, event.id)
        assert +_counted_in_the_detail(detail) == +expected
        assert (detail["seats_total"], detail["seats_available"]) == (10, 8)
        assert [c["seats_available"] for c in detail["categories"]] == [5, 3]  # Standard first

        await asyncio.to_thread(
            seats_category_set, event_id=event.id, category_id=premium.id, seat_ids=[seats[9].id]
        )
        moved = (await http.get(f"{url}/")).json()
        assert [(c["seats_total"], c["seats_available"]) for c in moved["categories"]] == [
            (5, 4),
            (5, 4),
        ]
