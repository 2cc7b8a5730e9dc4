from collections.abc import Callable

from django.conf import settings

from reservations.redis_shards import shard_answers, shards


def channel_layer_ok() -> bool:
    """The in-memory layer cannot be down; the Redis one is when any of its shards does not
    answer (an event on that shard would get no pushes)."""
    return all(shard_answers(shard) for shard in range(len(shards())))


def shard_checks() -> list[tuple[str, Callable[[], bool]]]:
    """Each Redis shard's own line of the health report, by its name (`redis:<master>` under
    Sentinel, `redis:<host>:<port>`), when there is more than the one REDIS_URL: which host an
    operator must look at."""
    if not (settings.REDIS_SHARDS or settings.REDIS_SENTINELS):
        return []
    return [
        (shard.name, lambda index=index: shard_answers(index))
        for index, shard in enumerate(shards())
    ]
