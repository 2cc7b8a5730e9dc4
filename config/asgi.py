"""ASGI entry point: HTTP to Django on a fixed pool of threads, /ws/ to the Channels consumers.

HTTP goes through Django's WSGI handler, run by a2wsgi on HTTP_THREADS threads, instead of
Django's ASGI handler: the latter starts and joins a new thread on the event loop for every
request (asgiref's ThreadSensitiveContext), which cost 2.6 ms of CPU per request here and
slowed the loop that pushes to watchers. Measured (BENCHMARKS.md): a trivial request 3.7 ms
-> 1.1 ms of CPU; lock/unlock 72 -> 114 requests/s on one process. The views are sync anyway.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_wsgi_app = get_wsgi_application()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402

from realtime.broadcast import bind_server_loop  # noqa: E402  (needs Django set up first)
from realtime.routing import websocket_application  # noqa: E402
from reservations.api.fast import FastSeatActions  # noqa: E402
from reservations.api.request_bodies import BufferedBodies  # noqa: E402

HTTP_THREADS = int(os.environ.get("HTTP_THREADS", "16"))

# Bodies are read whole on the loop first (a slow upload holds no thread), then the fast path
# takes the hold clicks it serves, and Django's threads the rest.
http_application = bind_server_loop(
    BufferedBodies(FastSeatActions(WSGIMiddleware(django_wsgi_app, workers=HTTP_THREADS)))
)

application = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application})
