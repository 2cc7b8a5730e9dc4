import logging

import redis
from django.conf import settings

from .redis_clients import sync_redis

logger = logging.getLogger("realtime.health")


def channel_layer_ok() -> bool:
    """The in-memory layer cannot be down; the Redis one is when Redis does not answer."""
    if not settings.REDIS_URL:
        return True
    try:
        client = sync_redis()
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False
