import pytest
import redis
from django.conf import settings


@pytest.fixture(autouse=True)
def clean_channel_layer():
    """Each test starts with an empty Redis database (its own: db 1 by default)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    yield


@pytest.fixture
async def relay():
    """The process's hub for this test's event loop, stopped when the test ends."""
    from channels.layers import channel_layers

    from realtime.hub import hub

    # The channel layer keeps loop-bound locks; each test has its own loop, so its own layer.
    channel_layers.backends.clear()
    current = hub()
    yield current
    await current.close()
    for layer in channel_layers.backends.values():
        if hasattr(layer, "close_pools"):
            await layer.close_pools()
    channel_layers.backends.clear()
