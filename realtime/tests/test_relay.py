"""The relay (realtime/relay.py) over a Redis killed and started again under it: once it lets
sockets in again (`ready`), it hears every message published. Redis back, the pub/sub layer's
connection subscribes again only at its next read, up to a second later; a relay that let
sockets in before then would leave them without those pushes, and with nothing later to reveal
the loss if no seat changes after it."""

import asyncio
import sys
import time

import pytest
import redis
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings as django_settings

from harness.engines import redis_server
from harness.waiting import until
from realtime.redis_clients import async_client
from realtime.relay import LIVENESS_INTERVAL, Relay
from reservations.redis_primary import Primary, event_group

pytestmark = pytest.mark.slow

EVENTS = [1, 2, 3]
RESTARTS = 3
AWAY_SECONDS = 1.0
# After each restart, a message is published every PUBLISH_EVERY s the relay is ready, for
# READY_FOR s from the first time it is.
READY_FOR = 1.5
PUBLISH_EVERY = 0.02


class Heard:
    """The relay's listener (relay.Listener): which `seq`s reached it, how often it failed."""

    def __init__(self, events: list[int]):
        self.events = events
        self.seqs: set[tuple[int, int]] = set()  # (event, seq)
        self.failures = 0

    def watched_events(self):
        return self.events

    def committed(self, event_id, frame, seq, epoch):
        self.seqs.add((event_id, seq))

    def layer_failed(self):
        self.failures += 1

    def family_revoked(self, family):
        pass

    def queue_changed(self, event_id, state):
        pass


@pytest.fixture
def own_redis(settings):
    """This test's channel layer and Redis settings, on a Redis of its own."""
    with redis_server() as server:
        settings.REDIS_URL = server.url
        settings.REDIS_SENTINELS = []
        layer = {**django_settings.CHANNEL_LAYERS["default"]}
        # The socket timeout of config/settings.py's layer: a read that waits on a connection
        # the restart left half-open is given up, as in production, instead of waiting forever.
        host = Primary(server.url).layer_host(socket_timeout=15)
        layer["CONFIG"] = {**layer["CONFIG"], "hosts": [host]}
        settings.CHANNEL_LAYERS = {"default": layer}
        channel_layers.backends.clear()
        yield server
        channel_layers.backends.clear()


def test_once_redis_is_back_the_relay_lets_sockets_in_only_when_it_hears_them(own_redis):
    sent_while_ready, heard = asyncio.run(_restarts(own_redis, EVENTS))
    assert len(sent_while_ready) > RESTARTS * len(EVENTS) * 10  # back after every restart
    missed = sorted(set(sent_while_ready) - heard.seqs)
    assert missed == [], f"{len(missed)} of {len(sent_while_ready)} published while ready lost"


async def _restarts(server, events: list[int]) -> tuple[list[tuple[int, int]], Heard]:
    heard = Heard(events)
    client = async_client()
    relay = Relay(heard, client)
    running = asyncio.ensure_future(relay.run())
    layer = get_channel_layer()
    sent_while_ready: list[tuple[int, int]] = []
    try:
        for _ in range(RESTARTS):
            await asyncio.wait_for(relay.ready.wait(), 10)
            failures = heard.failures
            await asyncio.to_thread(server.kill)
            # The relay notices (its sockets would be closed) before Redis comes back.
            deadline = time.monotonic() + 10
            while heard.failures == failures:
                assert time.monotonic() < deadline, "the relay did not notice Redis was gone"
                await asyncio.sleep(0.02)
            await asyncio.sleep(AWAY_SECONDS)
            await asyncio.to_thread(server.start)
            ready_at = None
            while ready_at is None or time.monotonic() - ready_at < READY_FOR:
                assert time.monotonic() < deadline + 10, "the relay did not come back"
                if relay.ready.is_set():
                    ready_at = ready_at or time.monotonic()
                    for event in events:
                        seq = len(sent_while_ready) + 1
                        try:
                            await layer.group_send(event_group(event), _seats_message(event, seq))
                            sent_while_ready.append((event, seq))
                        except redis.ConnectionError:
                            pass  # the layer's publishing connection finds Redis restarted
                await asyncio.sleep(PUBLISH_EVERY)
        await asyncio.sleep(0.5)  # the last ones on their way
    finally:
        await _stopped(running)
        await client.aclose()
    return sent_while_ready, heard


async def _stopped(running: asyncio.Task) -> None:
    """The relay ends when cancelled, as a stopping server cancels it; one that outlived its
    cancel would hold the server's shutdown up for ever. Then this says where every task waits
    (on stderr: asyncio.run's own clean-up would wait for ever on such a task too)."""
    running.cancel()
    done, _ = await asyncio.wait({running}, timeout=10)
    if not done:
        for task in asyncio.all_tasks():
            task.print_stack(file=sys.stderr)
        raise AssertionError("the relay did not stop when cancelled (its tasks on stderr)")


def _seats_message(event: int, seq: int) -> dict:
    """A `seats` message as the publisher sends it (realtime/broadcast.py), of no seat."""
    return {"type": "seats.message", "event_id": event, "epoch": "e", "frames": [[seq, 0, [], []]]}


def test_a_pub_sub_connection_redis_drops_is_noticed_though_the_primary_stays(own_redis):
    """Redis drops a subscriber whose output buffer outgrows its limit (client-output-buffer-limit
    pubsub), or that an operator kills; the layer connects and subscribes again quietly, and what
    was published in between is lost. The relay notices the new connection as it does a new
    primary: its listener closes the sockets (they come back for a snapshot), and it is ready
    again once it hears Redis."""
    heard = asyncio.run(_pub_sub_dropped(own_redis))
    assert heard.failures == 1


async def _pub_sub_dropped(server) -> Heard:
    heard = Heard(EVENTS)
    client = async_client()
    relay = Relay(heard, client)
    running = asyncio.ensure_future(relay.run())
    try:
        await asyncio.wait_for(relay.ready.wait(), 10)
        for event in heard.events:  # nobody watches: the connections subscribe to no event
            relay.leave(event)
        await asyncio.sleep(3 * LIVENESS_INTERVAL)
        assert heard.failures == 0  # nothing dropped, nothing noticed
        assert server.client().client_kill_filter(_type="pubsub") == 1
        noticed = await until(lambda: heard.failures, within=5)
        assert noticed, "the relay kept its sockets open over the lost messages"
        assert await until(relay.ready.is_set), "the relay did not come back"
    finally:
        await _stopped(running)
        await client.aclose()
    return heard
