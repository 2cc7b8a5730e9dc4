"""The obvious Channels design, as the tutorials teach it (the chat app of Channels' own
tutorial): a consumer per socket that joins a group on connect and sends each group message
on, JSON-encoded per socket; a view that `group_send`s. It imports nothing of the project.

    DJANGO_SETTINGS_MODULE=loadtest.fanout.tutorial.settings \\
        uvicorn loadtest.fanout.tutorial.app:application --port 8766

`/ws/` watches; `POST /trigger` sends one `{"type": "seats", "seq": N, "pad": ...}` message of
FANOUT_FRAME_BYTES to the group and answers 204.
"""

import itertools
import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loadtest.fanout.tutorial.settings")

from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "watchers"
sequence = itertools.count(1)


class WatchConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def seats_message(self, event):
        await self.send(text_data=json.dumps(event["message"]))


def seats(seq: int) -> dict:
    """The message, padded so that each socket's frame is FRAME_BYTES long."""
    bare = len(json.dumps({"type": "seats", "seq": seq, "pad": ""}))
    return {"type": "seats", "seq": seq, "pad": "x" * max(0, settings.FRAME_BYTES - bare)}


async def trigger(request):
    message = {"type": "seats.message", "message": seats(next(sequence))}
    await get_channel_layer().group_send(GROUP, message)
    return HttpResponse(status=204)


urlpatterns = [path("trigger", trigger)]

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter([path("ws/", WatchConsumer.as_asgi())]),
    }
)
