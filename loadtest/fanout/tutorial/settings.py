"""The tutorial app's settings: no database, no middleware, a Redis channel layer.

FANOUT_LAYER picks the layer (`channels_redis.core.RedisChannelLayer`, the tutorials' default,
or `channels_redis.pubsub.RedisPubSubChannelLayer`), REDIS_URL its Redis, FANOUT_FRAME_BYTES
the size of the frame each socket gets.
"""

import os
from urllib.parse import urlsplit

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET_KEY = "fanout-tutorial-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["channels"]
MIDDLEWARE = []
ROOT_URLCONF = "loadtest.fanout.tutorial.app"
DATABASES = {}
USE_TZ = True
FRAME_BYTES = int(os.environ.get("FANOUT_FRAME_BYTES", "190"))
ASGI_APPLICATION = "loadtest.fanout.tutorial.app.application"
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": os.environ.get("FANOUT_LAYER", "channels_redis.core.RedisChannelLayer"),
        # The one line a tutorial lacks: pub/sub channels are not scoped by Redis database,
        # and other runs may share this Redis.
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"fanout.db{urlsplit(REDIS_URL).path[1:]}."},
    }
}
