"""Each event's keys follow its group to one Redis shard, and a counter read on a promoted
replica never hands out a `seq` already used under the same epoch."""

import asyncio

import pytest
import redis.asyncio
from channels_redis.pubsub import RedisPubSubLoopLayer

from harness.engines import redis_server
from harness.waiting import until
from realtime.sequence import RedisCounters
from reservations.redis_shards import event_group, event_shard


def test_an_event_s_keys_live_where_channels_redis_puts_its_group(settings):
    settings.REDIS_SHARDS = [f"redis://127.0.0.1:{6390 + i}/0" for i in range(3)]
    layer = RedisPubSubLoopLayer(
        hosts=[{"address": url} for url in settings.REDIS_SHARDS],
        prefix=settings.CHANNEL_LAYER_PREFIX,
    )
    for event_id in range(1, 500):
        group = layer._get_group_channel_name(event_group(event_id))
        assert layer._shards.index(layer._get_shard(group)) == event_shard(event_id)


def test_a_promoted_replica_starts_a_new_epoch_instead_of_reusing_seq(settings):
    with redis_server() as primary, redis_server() as replica:
        replica.client().replicaof("127.0.0.1", primary.port)
        asyncio.run(_promoted(primary, replica, settings))


async def _promoted(primary, replica, settings):
    settings.REDIS_SHARDS = []
    old = RedisCounters([redis.asyncio.Redis(port=primary.port)])
    epoch, seq = await old.next(7, 5)
    caught_up = await until(lambda: replica.client().get("{seatmap:event:7}:seq") == b"5")
    assert caught_up, "the replica did not catch up"
    replica.client().replicaof("NO", "ONE")  # the failover: later writes of the old are lost
    assert await old.next(7, 3) == (epoch, 8)
    promoted = RedisCounters([redis.asyncio.Redis(port=replica.port)])
    new_epoch, new_seq = await promoted.next(7)
    assert new_epoch != epoch, f"seq {new_seq} under the old epoch would repeat 6..8"
    assert new_seq == 1


pytestmark = pytest.mark.slow
