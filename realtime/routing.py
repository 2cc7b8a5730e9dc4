from urllib.parse import urlparse

from channels.routing import URLRouter
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from reservations import path_ids  # noqa: F401  (the `id` converter of the route)

from .accounts import AccountConsumer
from .consumers import EventSeatsConsumer


class SiteOriginValidator(OriginValidator):
    """Browsers always send Origin; refuse any but our hosts and CORS origins (cross-site
    WebSocket hijacking). Clients that are not browsers (scripts, the load tester) send none."""

    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def allowed_origins() -> list[str]:
    hosts = [host for host in settings.ALLOWED_HOSTS]
    if settings.DEBUG:
        hosts += ["localhost", "127.0.0.1", "[::1]"]
    origins = [
        o
        for o in settings.CORS_ALLOWED_ORIGINS + settings.CSRF_TRUSTED_ORIGINS
        if urlparse(o).scheme
    ]
    return hosts + origins


websocket_urlpatterns = [
    path("ws/events/<id:event_id>/", EventSeatsConsumer.as_asgi()),
    path("ws/me/", AccountConsumer.as_asgi()),
]

websocket_application = SiteOriginValidator(URLRouter(websocket_urlpatterns), allowed_origins())
