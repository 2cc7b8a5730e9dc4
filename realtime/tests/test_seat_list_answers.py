"""The seat list as a real server answers it (PostgreSQL, Redis, one server process): from the
live map on the loop, right after a reservation for anonymous and logged-in readers alike, in
every coding a client may ask for, its JSON the database path's, limited per user."""

import asyncio
import gzip
import zlib

import brotli
import httpx
import orjson
import pytest
import websockets

from harness.servers import running_server, token
from realtime.tests.clients import next_of_type, ws_url
from reservations import selectors
from reservations.api import presenters
from reservations.tests.factories import PASSWORD, UserFactory, event_with_seats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def listed(http: httpx.Client, event_id: int, headers=None) -> dict:
    answer = http.get(f"/api/events/{event_id}/seats/", headers=headers or {})
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-seatmap-path"] == "fast"  # from the live map
    return {seat["id"]: (seat["status"], seat["mine"]) for seat in answer.json()["seats"]}


def test_a_reader_right_after_a_reservation_sees_it_reserved_and_mine_only_for_the_buyer(
    shared_server,
):
    event = event_with_seats(rows=3, seats_per_row=50)
    alice_user = UserFactory(username="alice")
    UserFactory(username="bob")
    a, b = event.seats.order_by("id")[70:72]
    base = shared_server
    with httpx.Client(base_url=base) as http:
        alice, bob = token(base, "alice"), token(base, "bob")
        before = listed(http, event.id)  # the list is built: the next reads are its chunks
        assert before[a.id] == before[b.id] == ("available", False)

        assert http.post(
            f"/api/events/{event.id}/lock/", json={"seat_ids": [a.id, b.id]}, headers=alice
        ).is_success
        assert listed(http, event.id)[a.id] == ("locked", False)
        reserved = http.post(
            f"/api/events/{event.id}/reserve/", json={"seat_ids": [a.id, b.id]}, headers=alice
        )
        assert reserved.status_code == 201

        for reader, mine in ((None, False), (alice, True), (bob, False)):
            seats = listed(http, event.id, reader)
            assert seats[a.id] == seats[b.id] == ("reserved", mine)
            assert sum(m for _, m in seats.values()) == (2 if mine else 0)
        # The event list and the event count as the list shows.
        assert http.get(f"/api/events/{event.id}/").json()["seats_available"] == 148
        assert http.get("/api/events/").json()[0]["seats_available"] == 148

        # What the database path says, byte for byte, once decoded.
        for user_id, reader in ((None, {}), (alice_user.pk, alice)):
            answer = http.get(f"/api/events/{event.id}/seats/", headers=reader)
            seats = selectors.seat_map_get(event_id=event.id)
            expected = orjson.dumps(presenters.seat_map_json(event.id, seats, user_id=user_id))
            assert answer.content == expected


@pytest.mark.parametrize("coding", ["deflate", "gzip", "br", "identity"])
def test_each_coding_says_itself_and_decodes_with_httpx_and_with_pythons_own(shared_server, coding):
    event = event_with_seats(rows=4, seats_per_row=50)
    UserFactory(username="alice")
    seat = event.seats.order_by("id")[130]
    decoders = {
        "deflate": zlib.decompress,
        "gzip": gzip.decompress,
        "br": brotli.decompress,
        "identity": bytes,
    }
    base = shared_server
    with httpx.Client(base_url=base) as http:
        alice = token(base, "alice")
        http.post(f"/api/events/{event.id}/seats/{seat.id}/lock/", json={}, headers=alice)
        url = f"/api/events/{event.id}/seats/"
        for reader in ({}, alice):
            headers = {**reader, "Accept-Encoding": coding}
            decoded = http.get(url, headers=headers)
            raw = http.send(http.build_request("GET", url, headers=headers), stream=True)
            body = decoders[coding](b"".join(raw.iter_raw()))

            assert raw.headers.get("content-encoding", "identity") == coding
            assert raw.headers["vary"] == "Accept-Encoding, origin"
            assert raw.headers["cache-control"] == "no-store"
            assert orjson.loads(body) == decoded.json()
            mine = [s["id"] for s in decoded.json()["seats"] if s["mine"]]
            assert mine == ([seat.id] if reader else [])


def test_a_logged_in_readers_list_is_limited_per_user_on_both_paths(stack_env):
    event = event_with_seats(rows=1, seats_per_row=5)
    UserFactory(username="alice")
    UserFactory(username="bob")
    stack_env["SEAT_LIST_USER_RATE"] = "2/min"
    with running_server(stack_env) as base, httpx.Client(base_url=base) as http:
        alice, bob = token(base, "alice"), token(base, "bob")
        url = f"/api/events/{event.id}/seats/"
        statuses = [http.get(url, headers=alice).status_code for _ in range(3)]
        refused = http.get(url, headers=alice)

        assert statuses == [200, 200, 429]
        assert refused.json()["code"] == "throttled" and int(refused.headers["retry-after"]) > 0
        assert http.get(url, headers=bob).status_code == 200  # per user
        assert http.get(url).status_code == 200  # anonymous: the per-address limit

        # A caller by session goes to Django, which reads the database: limited there too.
        session = httpx.Client(base_url=base)
        session.get("/api/csrf/")
        login = session.post(
            "/api/login/",
            json={"username": "bob", "password": PASSWORD},
            headers={"X-CSRFToken": session.cookies["csrftoken"], "Origin": base},
        )
        assert login.status_code == 200
        by_session = session.get(url)
        assert by_session.status_code == 200 and "x-seatmap-path" not in by_session.headers
        assert session.get(url).status_code == 429  # bob's second and third read


def test_a_socket_that_asks_for_nothing_gets_its_snapshots_in_the_compact_form_of_state(stack_env):
    event = event_with_seats(rows=10, seats_per_row=50)
    UserFactory(username="alice")
    seat = event.seats.order_by("id")[3]
    with running_server(stack_env) as base:
        alice = token(base, "alice")
        httpx.post(f"{base}/api/events/{event.id}/seats/{seat.id}/lock/", json={}, headers=alice)
        state = httpx.get(f"{base}/api/events/{event.id}/state/").json()
        plain, asked, old_ask = asyncio.run(_first_frames(ws_url(base, event.id)))

    # An anonymous handshake that asks for nothing: state/'s body with its type (its `seq` may
    # have moved on meanwhile: the lock's frame), never more bytes than the compact form.
    compact = orjson.loads(plain)
    assert {**compact, "seq": state["seq"]} == {"type": "state", **state}
    assert compact["seq"] >= state["seq"]
    assert compact["status"][3] == "l" and str(seat.id) in compact["locked_until"]
    assert asked["type"] == "state"  # a snapshot asked for later comes in the same form
    assert orjson.loads(old_ask)["type"] == "state"  # `?snapshot=state`, once the opt-in
    assert len(plain) <= len(old_ask)


async def _first_frames(url: str):
    async with websockets.connect(url) as socket:
        plain = await socket.recv(decode=False)
        await socket.send('{"type": "snapshot"}')
        asked = await next_of_type(socket, "state")
    async with websockets.connect(f"{url}?snapshot=state") as socket:
        old_ask = await socket.recv(decode=False)
    return plain, asked, old_ask


def test_an_anonymous_socket_asking_for_full_snapshots_gets_compact_ones_a_logged_in_one_full(
    stack_env,
):
    """Issue 57: `?snapshot=full` is a logged-in socket's to ask. Anonymous, on opening and on
    request, a socket gets the `state` frame, never a `snapshot`; once it says whose it is
    (`auth`), the `snapshot` it asked for, every seat by id."""
    event = event_with_seats(rows=10, seats_per_row=50)
    UserFactory(username="alice")
    with running_server(stack_env) as base:
        access = token(base, "alice")["Authorization"].removeprefix("Bearer ")
        url = ws_url(base, event.id, "?snapshot=full")
        opened, asked, logged_in = asyncio.run(_snapshots_asking_for_full(url, access))

    assert (opened["type"], asked["type"]) == ("state", "state")
    assert opened["seats_total"] == len(opened["status"]) == 500
    assert logged_in["type"] == "snapshot" and len(logged_in["seats"]) == 500


async def _snapshots_asking_for_full(url: str, access: str) -> tuple[dict, dict, dict]:
    """A socket opened with `?snapshot=full`: its snapshot on opening, the one it asks for
    anonymous, and the one it asks for after its `auth`."""
    async with websockets.connect(url) as socket:
        opened = await _next_snapshot(socket)
        await socket.send('{"type": "snapshot"}')
        asked = await _next_snapshot(socket)
        await socket.send(orjson.dumps({"type": "auth", "token": access}).decode())
        await next_of_type(socket, "own")
        await socket.send('{"type": "snapshot"}')
        logged_in = await _next_snapshot(socket)
    return opened, asked, logged_in


async def _next_snapshot(socket) -> dict:
    """The next snapshot, in whichever form it comes."""
    async with asyncio.timeout(5):
        while (frame := orjson.loads(await socket.recv()))["type"] not in ("state", "snapshot"):
            pass
    return frame
