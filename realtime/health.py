import logging

import redis
from django.conf import settings

logger = logging.getLogger("realtime.health")


def channel_layer_ok() -> bool:
    """The in-memory layer cannot be down; the Redis one is when Redis does not answer."""
    if not settings.REDIS_URL:
        return True
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False
