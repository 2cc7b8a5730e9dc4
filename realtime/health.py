from reservations.redis_shards import shard_answers, shards


def channel_layer_ok() -> bool:
    """The in-memory layer cannot be down; the Redis one is when any of its shards does not
    answer (an event on that shard would get no pushes)."""
    return all(shard_answers(shard) for shard in range(len(shards())))
