"""A server process lets go of the events nobody uses (realtime/idle_events.py): their live
maps, frames, re-reads and groups on the channel layer go LIVE_EVENT_IDLE_SECONDS after the
last socket left or the last read, and whoever comes later starts afresh. On real Redis and
PostgreSQL: the hub in this process, and a real server process."""

import asyncio
import gc
import json
import subprocess
import sys
import time
import weakref

import httpx
import pytest
import redis
import websockets
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from prometheus_client import REGISTRY

from harness.servers import running_server
from harness.waiting import eventually, until
from realtime.idle_events import IdleEvents, give_back_memory
from realtime.routing import websocket_application
from realtime.tests.clients import lock_as_alice, next_seats, ws_url
from reservations.redis_primary import event_group
from reservations.tests import booking_calls
from reservations.tests.factories import UserFactory, event_with_seats

call = database_sync_to_async


def group_channel(event_id: int) -> str:
    """The event's pub/sub channel (channels_redis's name for the group)."""
    return f"{django_settings.CHANNEL_LAYER_PREFIX}__group__{event_group(event_id)}"


def subscribers(event_id: int) -> int:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    return dict(client.pubsub_numsub(group_channel(event_id)))[group_channel(event_id).encode()]


def subscribed_event_channels() -> list[bytes]:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    return client.pubsub_channels(group_channel(0).removesuffix("0") + "*")


def sockets_open(event_id: int) -> float | None:
    labels = {"event": str(event_id), "state": "watching"}
    return REGISTRY.get_sample_value("seatmap_sockets_open", labels)


# --- which events are idle (pure) ---------------------------------------------------------------


def test_an_event_in_use_is_never_idle_and_one_left_is_idle_after_the_setting():
    events = IdleEvents()
    assert events.idle([1, 2], in_use={1, 2}, now=0, idle_after=60) == []
    assert events.idle([1, 2], in_use={1}, now=59, idle_after=60) == []  # 2 last used at 0
    assert events.idle([1, 2], in_use={1}, now=60, idle_after=60) == [2]
    assert events.idle([1], in_use=set(), now=119, idle_after=60) == []  # 1 in use at 60
    assert events.idle([1], in_use=set(), now=120, idle_after=60) == [1]
    assert len(events) == 0  # nothing kept of the events let go of


def test_a_read_uses_an_event_and_something_held_without_a_use_counts_from_now():
    events = IdleEvents()
    events.used(7, now=10)
    assert events.idle([], in_use=set(), now=69, idle_after=60) == []
    assert events.idle([8], in_use=set(), now=70, idle_after=60) == [7]  # 8 counts from 70
    assert events.idle([8], in_use=set(), now=129, idle_after=60) == []
    assert events.idle([8], in_use=set(), now=130, idle_after=60) == [8]


def test_what_an_event_left_in_a_reference_cycle_is_freed_when_memory_is_given_back():
    class Held:  # e.g. a live map and a task that refer to each other
        pass

    gc.disable()  # no collection of its own may come first
    try:
        held, other = Held(), Held()
        held.other, other.held = other, held
        gone = weakref.ref(held)
        del held, other
        assert gone() is not None  # a cycle outlives its last outside reference

        give_back_memory()

        assert gone() is None
    finally:
        gc.enable()


# What a process does after 25 MiB of 256 KiB blocks are freed, each with a small block
# allocated after it, once a 16 MiB block was freed before them (an arena's snapshot): the MiB
# it gives back to the system at once.
BLOCKS_FREED = """
from realtime.idle_events import map_large_blocks_apart
map_large_blocks_apart()
rss = lambda: int(open("/proc/self/statm").read().split()[1]) * 4096
larger = b"x" * (16 << 20)
del larger
blocks, after_each = [], []
for _ in range(100):
    blocks.append(b"x" * (256 << 10))
    after_each.append(b"y" * 600)
before = rss()
del blocks
print((before - rss()) >> 20)
"""


def test_large_blocks_freed_after_a_larger_one_go_back_to_the_system_at_once():
    """glibc's own threshold would have risen to 16 MiB and kept them in its heap, behind the
    small blocks after them (in a process of its own: the setting is the process's)."""
    freed = subprocess.run(
        [sys.executable, "-c", BLOCKS_FREED], capture_output=True, text=True, check=True
    )
    assert int(freed.stdout) >= 24


# --- the hub of this process -------------------------------------------------------------------


def watch(event_id):
    origin = (b"origin", b"http://127.0.0.1:8000")
    return WebsocketCommunicator(websocket_application, f"/ws/events/{event_id}/", headers=[origin])


async def connected(event_id):
    communicator = watch(event_id)
    accepted, _ = await communicator.connect()
    assert accepted
    assert (await communicator.receive_json_from(timeout=5))["type"] == "state"
    return communicator


async def next_seats_of(communicator, within=5):
    async with asyncio.timeout(within):
        while (message := await communicator.receive_json_from(timeout=within))["type"] != "seats":
            pass
    return message


async def presence_ticked():
    await asyncio.sleep(1.2)  # the presence tick lets go of the event's empty socket set


@pytest.mark.django_db(transaction=True)
async def test_an_event_left_and_idle_is_let_go_of_whole(relay):
    event = await call(event_with_seats)(rows=2, seats_per_row=5)
    alice = await call(UserFactory)(username="alice")
    seat_id = await call(lambda: event.seats.first().id)()
    communicator = await connected(event.id)
    assert await call(subscribers)(event.id) == 1
    await communicator.disconnect()
    await presence_ticked()
    assert sockets_open(event.id) == 0
    live_map = weakref.ref(relay.maps[event.id])

    assert relay.forget_idle(time.monotonic() + 1e6) == [event.id]
    assert (relay.maps, relay.feeds, relay.own, relay.presence_frames) == ({}, {}, {}, {})
    assert sockets_open(event.id) is None  # its series went too
    await presence_ticked()
    gc.collect()
    assert live_map() is None  # nothing keeps the map (its memory is the process's again)
    assert await until(lambda: subscribers(event.id) == 0)  # the unsubscribe reaches Redis
    # A change committed now reaches nothing here, and leaves nothing behind.
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=seat_id)
    await asyncio.sleep(0.2)
    assert (relay.maps, relay.feeds) == ({}, {})


@pytest.mark.django_db(transaction=True)
async def test_an_event_read_is_kept_for_the_setting_then_let_go_of(relay, settings):
    from realtime.hub_live_maps import HubLiveMaps

    settings.LIVE_EVENT_IDLE_SECONDS = 60
    event = await call(event_with_seats)(rows=1, seats_per_row=3)
    read_at = time.monotonic()
    state = await HubLiveMaps().state(event.id)
    assert json.loads(state.value)["seats_total"] == 3

    assert relay.forget_idle(read_at + 59) == []
    assert event.id in relay.maps and await call(subscribers)(event.id) == 1
    assert relay.forget_idle(read_at + 61) == [event.id]
    assert relay.maps == {}


@pytest.mark.django_db(transaction=True)
async def test_a_socket_that_comes_while_its_event_is_let_go_of_ends_up_subscribed(relay):
    """The race: the group's unsubscribe is on its way to Redis when a socket of the same
    event joins. The layer takes the two in order; the join is last, so it stays subscribed
    and gets the next change."""
    event = await call(event_with_seats)(rows=2, seats_per_row=5)
    alice = await call(UserFactory)(username="alice")
    seat_id = await call(lambda: event.seats.first().id)()
    await (await connected(event.id)).disconnect()
    await presence_ticked()

    assert relay.forget_idle(time.monotonic() + 1e6) == [event.id]  # unsubscribe sent, not done
    latecomer = await connected(event.id)
    await asyncio.sleep(0.2)
    assert await call(subscribers)(event.id) == 1
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=seat_id)
    message = await next_seats_of(latecomer)
    assert message["changes"][0]["id"] == seat_id
    await latecomer.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_event_with_a_socket_waiting_or_watching_is_kept(relay):
    event = await call(event_with_seats)(rows=1, seats_per_row=3)
    communicator = await connected(event.id)
    assert relay.forget_idle(time.monotonic() + 1e6) == []
    assert event.id in relay.maps and await call(subscribers)(event.id) == 1
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_that_joins_while_the_presence_tick_reports_none_is_kept(relay):
    """The presence tick reports an event's last socket gone, then lets go of its socket set;
    a socket that joined while Redis answered stays in it (and keeps its event in use)."""
    event = await call(event_with_seats)(rows=1, seats_per_row=3)
    alice = await call(UserFactory)(username="alice")
    seat_id = await call(lambda: event.seats.first().id)()
    await (await connected(event.id)).disconnect()
    reporting_none, report = asyncio.Event(), relay.presence.message

    async def slow_report(event_id, local):
        if not local:
            reporting_none.set()
            await asyncio.sleep(0.5)  # Redis answers slowly
        return await report(event_id, local)

    relay.presence.message = slow_report
    await asyncio.wait_for(reporting_none.wait(), 3)
    latecomer = await connected(event.id)
    await asyncio.sleep(0.6)

    assert relay.forget_idle(time.monotonic() + 1e6) == []
    await call(booking_calls.lock)(user=alice, event_id=event.id, seat_id=seat_id)
    assert (await next_seats_of(latecomer))["changes"][0]["id"] == seat_id
    await latecomer.disconnect()


# --- a real server process ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_server_subscribes_to_no_event_once_its_events_are_idle(stack_env):
    events = [event_with_seats(rows=2, seats_per_row=10) for _ in range(8)]
    UserFactory(username="alice")
    with running_server(stack_env | {"LIVE_EVENT_IDLE_SECONDS": "2"}) as base:
        asyncio.run(_watch_briefly(base, events[:4]))
        for event in events[4:]:  # read, not watched
            assert httpx.get(f"{base}/api/events/{event.id}/state/").status_code == 200
        assert len(subscribed_event_channels()) == 8

        assert eventually(lambda: subscribed_event_channels() == [])

        # A socket on an event let go of starts afresh: a snapshot, then the live changes.
        asyncio.run(_watch_a_lock(base, events[0], events[0].seats.first()))
        assert subscribed_event_channels() == [group_channel(events[0].id).encode()]


async def _watch_briefly(base, events):
    for event in events:
        async with websockets.connect(ws_url(base, event.id)) as socket:
            assert json.loads(await socket.recv())["type"] == "state"


async def _watch_a_lock(base, event, seat):
    async with websockets.connect(ws_url(base, event.id)) as socket:
        snapshot = json.loads(await socket.recv())
        assert snapshot["type"] == "state" and snapshot["seats_total"] == 20
        assert (await lock_as_alice(base, event, seat)).status_code == 200
        message = await next_seats(socket)
        assert message["changes"][0]["id"] == seat.id
