"""The live feed against clients that misbehave, on a real server (config/server.py), as an
outside client would meet it: peers that stop reading, snapshot floods, oversized frames,
silent peers, too many sockets from one address. (A Redis restart before a new watcher:
test_servers.py's Redis outage.)"""

import asyncio
import contextlib
import json

import pytest
import websockets
from websockets.frames import Frame, Opcode

from harness.servers import running_server, token
from realtime.tests.clients import lock_as_alice, next_of_type, next_seats, ws_url
from realtime.tests.raw_socket import RawWebSocket
from reservations.tests.factories import UserFactory, event_with_seats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SNAPSHOT = '{"type": "snapshot"}'


def test_sockets_that_stop_reading_hold_up_no_other_watcher(shared_server):
    big = event_with_seats(rows=100, seats_per_row=100)  # 10,000 seats: a 650 KB `snapshot`
    other = event_with_seats(rows=1, seats_per_row=4)
    UserFactory(username="alice")
    asyncio.run(_stalled_sockets(shared_server, big, other))


async def _stalled_sockets(base, big, other):
    # Logged in, they may ask for the full form: its 650 KB fill the server's buffers soon.
    auth = json.dumps({"type": "auth", "token": token(base, "alice")["Authorization"][7:]})
    stalled = [RawWebSocket(ws_url(base, big.id, "?snapshot=full")) for _ in range(9)]
    for sock in stalled:
        sock.send_text(auth)
        for _ in range(10):
            sock.send_text(SNAPSHOT)
    try:
        async with (
            websockets.connect(ws_url(base, other.id)) as other_watcher,
            websockets.connect(ws_url(base, big.id), max_size=None) as same_watcher,
        ):
            await next_of_type(other_watcher, "state")
            await next_of_type(same_watcher, "state", within=10)
            await asyncio.sleep(1)  # the server has filled the stalled sockets' buffers by now
            for event, watcher in ((other, other_watcher), (big, same_watcher)):
                seat = await asyncio.to_thread(lambda e=event: e.seats.order_by("id").last())
                assert (await lock_as_alice(base, event, seat)).status_code == 200
                message = await next_seats(watcher, within=3)
                assert message["changes"][0]["id"] == seat.id
            # Still asking, never reading: once the server cannot write to them for 5 s they are
            # closed (4408), and presence counts the reading watcher alone.
            asking = asyncio.ensure_future(_keep_asking(stalled))
            try:
                await next_of_type(same_watcher, "presence", within=30, until=one_watcher)
            finally:
                asking.cancel()
    finally:
        for sock in stalled:
            sock.close()


def one_watcher(presence: dict) -> bool:
    return presence["watchers"] == 1


async def _keep_asking(sockets):
    while True:
        await asyncio.sleep(2.1)  # one snapshot per 2 s each: the server's buffers fill up
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.send_text(SNAPSHOT)


def test_snapshot_requests_are_rationed_per_socket(shared_server):
    event = event_with_seats(rows=2, seats_per_row=5)
    asyncio.run(_snapshot_flood(shared_server, event))


async def _snapshot_flood(base, event):
    async with websockets.connect(ws_url(base, event.id)) as watcher:
        await next_of_type(watcher, "state")
        for _ in range(25):  # under the flood limit: none of these closes the socket
            await watcher.send(SNAPSHOT)
        snapshots = 0
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(3):
                while True:
                    snapshots += json.loads(await watcher.recv())["type"] == "state"
        # All 25 are answered by the one snapshot at the end of the 2 s window.
        assert snapshots == 1


def test_a_frame_over_4_kib_is_refused_before_it_is_read(shared_server):
    event = event_with_seats(rows=1, seats_per_row=2)
    sock = RawWebSocket(ws_url(shared_server, event.id))
    try:
        huge = Frame(Opcode.TEXT, b"x" * 1_000_000).serialize(mask=True)
        sock.send_raw(huge[:2048])  # the header says 1 MB; the rest never comes
        assert sock.read_until_closed(within=3) == 1009
    finally:
        sock.close()


def test_a_socket_that_never_answers_pings_is_closed(stack_env):
    event = event_with_seats(rows=1, seats_per_row=2)
    env = {**stack_env, "WS_PING_INTERVAL": "0.5", "WS_PING_TIMEOUT": "0.5"}
    with running_server(env) as base:
        sock = RawWebSocket(ws_url(base, event.id))  # reads, but never sends its pongs
        try:
            assert sock.read_until_closed(within=5) == 1011
        finally:
            sock.close()


def test_sockets_per_address_are_capped_by_the_setting(stack_env):
    event = event_with_seats(rows=1, seats_per_row=2)
    with running_server({**stack_env, "WS_MAX_SOCKETS_PER_ADDRESS": "2"}) as base:
        asyncio.run(_capped(ws_url(base, event.id)))


async def _capped(url):
    first, second = websockets.connect(url), websockets.connect(url)
    async with first as one, second as two:
        await next_of_type(one, "state")
        await next_of_type(two, "state")
        async with websockets.connect(url) as three:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await three.recv()
            assert closed.value.rcvd.code == 4429
    await asyncio.sleep(0.3)  # the closed sockets are counted out
    async with websockets.connect(url) as again:
        await next_of_type(again, "state")


def test_a_snapshot_the_database_cannot_serve_closes_with_4503(stack_env):
    """The seat map read fails (here: a role that may read events but not seats): the watcher
    gets the documented 4503, not an internal error (1011)."""
    from django.db import connection

    event = event_with_seats(rows=1, seats_per_row=2)
    role = "seatmap_test_no_seats"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN")
        cursor.execute(f"GRANT SELECT ON reservations_event TO {role}")
    url = stack_env["DATABASE_URL"].replace("postgres://postgres@", f"postgres://{role}@")
    env = {**stack_env, "DATABASE_URL": url}
    try:
        with running_server(env) as base:
            asyncio.run(_closed_with(ws_url(base, event.id), 4503))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


async def _closed_with(url, code):
    async with websockets.connect(url) as watcher:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await next_of_type(watcher, "state")
        assert (closed.value.rcvd.code if closed.value.rcvd else None) == code
