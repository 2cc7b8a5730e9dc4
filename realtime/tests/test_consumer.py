"""The socket of PROTOCOL.md, through Channels' WebsocketCommunicator, on real Redis and
PostgreSQL: every committed change is exactly one `seats` message, in `seq` order."""

import asyncio
from datetime import timedelta

import channels.consumer
import channels.generic.websocket
import psycopg
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction
from django.utils import timezone

from harness.waiting import until
from realtime.hub import hub
from realtime.routing import websocket_application
from reservations import services
from reservations.models import Seat
from reservations.tests import booking_calls
from reservations.tests.factories import UserFactory, event_with_seats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("relay")]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture
async def event():
    return await database_sync_to_async(event_with_seats)(rows=2, seats_per_row=5)


@pytest.fixture
async def alice():
    return await database_sync_to_async(UserFactory)(username="alice")


def watch(event_id, origin=ORIGIN, query=""):
    headers = [origin] if origin else []
    path = f"/ws/events/{event_id}/{query}"
    return WebsocketCommunicator(websocket_application, path, headers=headers)


async def connected(event_id):
    communicator = watch(event_id)
    accepted, _ = await communicator.connect()
    assert accepted
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["type"] == "state"  # an anonymous socket's form (PROTOCOL.md)
    return communicator, snapshot


async def next_of_type(communicator, kind, within=5):
    while True:
        message = await communicator.receive_json_from(timeout=within)
        if message["type"] == kind:
            return message


async def no_seats_message(communicator, within=0.5):
    """The next `seats` message if one comes within the time, else None (presence is skipped).

    (A timeout of receive_json_from would cancel the consumer, hence receive_nothing.)
    """
    while not await communicator.receive_nothing(timeout=within):
        message = await communicator.receive_json_from()
        if message["type"] == "seats":
            return message
    return None


call = database_sync_to_async


async def test_the_snapshot_comes_first_with_every_seat(event):
    communicator, snapshot = await connected(event.id)
    assert snapshot["event_id"] == event.id
    assert isinstance(snapshot["seq"], int) and snapshot["epoch"]
    assert snapshot["seats_total"] == len(snapshot["status"]) == len(snapshot["version"]) == 10
    await communicator.disconnect()


async def test_each_committed_change_is_exactly_one_seats_message(event, alice):
    seats = await call(lambda: list(event.seats.order_by("id")))()
    communicator, snapshot = await connected(event.id)
    seq = snapshot["seq"]

    async def expect(changed):
        nonlocal seq
        message = await next_of_type(communicator, "seats")
        assert message["seq"] == seq + 1 and message["epoch"] == snapshot["epoch"]
        seq = message["seq"]
        assert [(c["id"], c["status"], c["version"]) for c in message["changes"]] == changed
        assert isinstance(message["ts"], int)
        assert await no_seats_message(communicator, within=0.2) is None
        return message

    a, b, c = seats[0].id, seats[1].id, seats[2].id
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=a)
    locked = await expect([(a, "locked", 1)])
    assert locked["changes"][0]["locked_until"].endswith("Z")

    await call(booking_calls.unlock)(user=alice, event_id=event.id, seat_id=a)
    await expect([(a, "available", 2)])

    await call(booking_calls.lock_several)(user=alice, event_id=event.id, seat_ids=[a, b, c])
    await expect([(a, "locked", 3), (b, "locked", 1), (c, "locked", 1)])

    outcome = await call(booking_calls.reserve)(user=alice, event_id=event.id, seat_ids=[a, b, c])
    await expect([(a, "reserved", 4), (b, "reserved", 2), (c, "reserved", 2)])

    await call(booking_calls.cancel)(user=alice, reservation_id=outcome.reservation.id)
    await expect([(a, "available", 5), (b, "available", 3), (c, "available", 3)])

    d = seats[3].id
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=d)
    await expect([(d, "locked", 1)])
    await call(
        lambda: Seat.objects.filter(pk=d).update(held_until=timezone.now() - timedelta(seconds=1))
    )()
    await call(services.locks_expire)()
    await expect([(d, "available", 2)])
    await communicator.disconnect()


async def test_a_rolled_back_service_call_sends_nothing(event, alice):
    seat_id = await call(lambda: event.seats.first().id)()
    communicator, _ = await connected(event.id)

    def lock_then_fail():
        with transaction.atomic():
            booking_calls.lock(user=alice, event_id=event.id, seat_id=seat_id)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await call(lock_then_fail)()
    assert await no_seats_message(communicator, within=0.5) is None
    await communicator.disconnect()


async def test_a_snapshot_on_request_and_ping(event):
    communicator, first = await connected(event.id)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    await communicator.send_json_to({"type": "snapshot"})
    again = await next_of_type(communicator, "state")
    assert again["seq"] == first["seq"] and again["seats_total"] == 10
    await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        '{"type": "lock"}',
        "[1, 2]",
        '{"no": "type"}',
    ],
)
async def test_bad_frames_get_invalid_and_the_socket_stays_open(event, frame):
    communicator, _ = await connected(event.id)
    await communicator.send_to(text_data=frame)
    assert await communicator.receive_json_from(timeout=5) == {"type": "error", "code": "invalid"}
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    await communicator.disconnect()


async def test_a_frame_over_4_kib_is_closed_with_1009_where_the_server_let_it_through(event):
    """The shipped server refuses it unread; daphne hands it over, and the consumer closes."""
    communicator, _ = await connected(event.id)
    await communicator.send_to(text_data='{"type": "ping", "pad": "' + "x" * 5000 + '"}')
    while True:
        output = await communicator.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            assert output["code"] == 1009
            break


async def test_a_flooding_client_is_closed_with_4429(event):
    communicator, _ = await connected(event.id)
    for _ in range(100):
        await communicator.send_json_to({"type": "ping"})
    while True:
        output = await communicator.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            assert output["code"] == 4429
            break


async def test_sockets_from_one_ipv6_64_share_the_per_address_cap(event, settings):
    settings.WS_MAX_SOCKETS_PER_ADDRESS = 1

    def from_address(address):
        communicator = watch(event.id)
        communicator.scope["client"] = (address, 40000)
        return communicator

    first = from_address("2001:db8:9:9::1")
    assert (await first.connect())[0]
    assert (await first.receive_json_from(timeout=5))["type"] == "state"
    second = from_address("2001:db8:9:9:ffff::2")
    await second.connect()
    assert await second.receive_output(timeout=5) == {"type": "websocket.close", "code": 4429}
    other = from_address("2001:db8:9:a::1")
    await other.connect()
    assert (await other.receive_json_from(timeout=5))["type"] == "state"
    await first.disconnect()
    await other.disconnect()


async def test_a_load_test_host_is_not_capped_and_every_other_address_is_by_default(
    event, settings
):
    settings.LIMITS_EXEMPT_NETWORKS = ["198.51.100.0/24"]
    assert settings.WS_MAX_SOCKETS_PER_ADDRESS > 0  # the default caps

    def from_address(address):
        communicator = watch(event.id)
        communicator.scope["client"] = (address, 40000)
        return communicator

    settings.WS_MAX_SOCKETS_PER_ADDRESS = 1
    exempt = [from_address("198.51.100.7") for _ in range(3)]
    for communicator in exempt:
        assert (await communicator.connect())[0]
        assert (await communicator.receive_json_from(timeout=5))["type"] == "state"
    first, second = from_address("203.0.113.7"), from_address("203.0.113.7")
    await first.connect()
    assert (await first.receive_json_from(timeout=5))["type"] == "state"
    await second.connect()
    assert await second.receive_output(timeout=5) == {"type": "websocket.close", "code": 4429}
    for communicator in [*exempt, first]:
        await communicator.disconnect()


async def test_an_unknown_event_is_closed_with_4404():
    communicator = watch(987654)
    accepted, _ = await communicator.connect()
    assert accepted
    output = await communicator.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4404}


async def test_a_foreign_origin_is_refused(event):
    communicator = watch(event.id, origin=(b"origin", b"https://evil.example"))
    accepted, _ = await communicator.connect()
    assert not accepted


async def test_an_allowed_cors_origin_is_accepted(event, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:5173"]
    from channels.routing import URLRouter

    from realtime.routing import SiteOriginValidator, allowed_origins, websocket_urlpatterns

    application = SiteOriginValidator(URLRouter(websocket_urlpatterns), allowed_origins())
    communicator = WebsocketCommunicator(
        application, f"/ws/events/{event.id}/", headers=[(b"origin", b"http://localhost:5173")]
    )
    accepted, _ = await communicator.connect()
    assert accepted
    await communicator.disconnect()


async def test_presence_counts_the_watchers(event):
    first, _ = await connected(event.id)
    second, _ = await connected(event.id)
    presence = await next_of_type(first, "presence", within=5)
    assert presence == {"type": "presence", "event_id": event.id, "watchers": 2}
    await second.disconnect()
    presence = await next_of_type(first, "presence", within=5)
    assert presence["watchers"] == 1
    await first.disconnect()


async def test_watchers_joining_mid_stream_never_miss_a_message(event, alice):
    """A socket joins the relay before reading its snapshot: what commits in between is sent."""
    ids = await call(lambda: list(event.seats.order_by("id").values_list("id", flat=True)))()

    async def lock_all():
        for seat_id in ids[:6]:
            await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=seat_id)

    locking = asyncio.ensure_future(lock_all())
    sockets = []
    for _ in range(5):
        sockets.append(await connected(event.id))
        await asyncio.sleep(0.01)
    await locking
    for communicator, snapshot in sockets:
        states = dict(zip(ids, snapshot["version"], strict=True))  # in the map's order
        seq = snapshot["seq"]
        while (message := await no_seats_message(communicator, within=0.5)) is not None:
            assert message["first_seq"] <= seq + 1 < message["seq"] + 1  # no gap, nothing old
            seq = message["seq"]
            for c in message["changes"]:
                states[c["id"]] = max(states[c["id"]], c["version"])
        assert all(states[i] == 1 for i in ids[:6])
        await communicator.disconnect()


async def test_after_redis_loses_its_data_the_next_change_arrives_under_a_new_epoch(
    event, alice, monkeypatch, settings
):
    """A FLUSHALL or failover keeps connections but forgets groups and counters: the relay
    rejoins its groups, and the next message's new epoch tells the client to resync."""
    import redis

    monkeypatch.setattr("realtime.relay.GROUP_REFRESH_SECONDS", 0.2)
    seat_id = await call(lambda: event.seats.first().id)()
    communicator, snapshot = await connected(event.id)
    await call(redis.Redis.from_url(settings.REDIS_URL).flushdb)()
    await asyncio.sleep(0.6)
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=seat_id)
    message = await next_of_type(communicator, "seats")
    assert message["epoch"] != snapshot["epoch"]
    assert message["changes"][0]["id"] == seat_id
    await communicator.disconnect()


async def test_a_socket_takes_no_thread_hop_to_connect_speak_and_close(event, monkeypatch):
    """Channels closes Django's old connections before every message a consumer handles, on a
    worker thread; ours handles none with Django's connection, so it skips that."""
    hops = []

    async def closing_old_connections():
        hops.append(1)

    for module in (channels.consumer, channels.generic.websocket):
        monkeypatch.setattr(module, "aclose_old_connections", closing_old_connections)
    communicator, _ = await connected(event.id)
    await communicator.send_json_to({"type": "ping"})
    assert (await next_of_type(communicator, "pong"))["type"] == "pong"
    await communicator.disconnect()

    assert hops == []


async def test_state_read_after_a_change_reached_the_sockets_shows_it(event, alice, settings):
    """API.md: `state/` is never older than the socket's stream. A change after a quiet moment
    reaches the sockets at once; `state/` read right after it, within a window of the last read,
    holds it too (a reader that then resumes a socket from its `seq` would miss it otherwise)."""
    from realtime.hub_live_maps import HubLiveMaps

    settings.WS_COALESCE_SECONDS = 1.0
    seat_id = await call(lambda: event.seats.order_by("id").first().id)()
    communicator, snapshot = await connected(event.id)
    before = await HubLiveMaps().state(event.id)
    assert before.seq == snapshot["seq"]

    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=seat_id)
    sent = await next_of_type(communicator, "seats")
    after = await HubLiveMaps().state(event.id)
    assert after.seq == sent["seq"], "state/ is older than what the socket was sent"
    await communicator.disconnect()


async def test_a_count_that_changes_while_a_socket_reads_a_snapshot_is_told_after_it(
    event, monkeypatch
):
    """PROTOCOL.md: `presence` is sent when the number of watchers changes. A socket that asked
    for a snapshot while the map is read again (the seat table locked: the read waits) still
    hears of a watcher who came meanwhile, once its snapshot is sent."""
    monkeypatch.setattr("realtime.live_map.REREAD_SECONDS", 0.5)
    first, _ = await connected(event.id)
    assert (await next_of_type(first, "presence"))["watchers"] == 1
    conninfo = f"dbname={connection.settings_dict['NAME']} user=postgres host=127.0.0.1"
    with await asyncio.to_thread(psycopg.connect, conninfo) as blocker:

        def blocked() -> bool:  # a read of the seats waits on the lock
            waiting = blocker.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
                ["reservations_seat"],
            )
            return waiting.fetchone()[0] > 0

        await asyncio.to_thread(
            blocker.execute, "LOCK TABLE reservations_seat IN ACCESS EXCLUSIVE MODE"
        )
        assert await until(lambda: blocked()), "the map is never read again"
        await first.send_json_to({"type": "snapshot"})
        second = watch(event.id)
        assert (await second.connect())[0]
        sockets = hub().watchers[event.id]
        assert await until(lambda: len(sockets) == 2 and all(s.outbox.holding for s in sockets))
        frame = await until(lambda: b'"watchers":2' in hub().presence_frames[event.id].wire)
        assert frame, "the count of two was never made"
        await asyncio.to_thread(blocker.rollback)

    told = []
    while not await first.receive_nothing(timeout=2.0):
        told.append(await first.receive_json_from())
    counts = [message["watchers"] for message in told if message["type"] == "presence"]
    assert counts[-1:] == [2], f"the first socket is never told of the second: {told}"
    await first.disconnect()
    await second.disconnect()
