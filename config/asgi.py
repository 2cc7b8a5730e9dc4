"""ASGI entry point: HTTP goes to Django, /ws/ to the Channels consumers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from realtime.routing import websocket_application  # noqa: E402  (needs Django set up first)

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})
