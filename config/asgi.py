"""The ASGI composition, all of it: which app serves what, and what is bound to the server's
event loop when it starts.

* HTTP: bodies are read whole on the loop first (`BufferedBodies`: a slow upload holds no
  thread); then the loop app (reservations/api/loop_app.py, one route table) answers on the
  loop the booking calls (fast.py), a logged-in arrival's event detail and stored map documents
  (loop_reads.py) and the live map's reads (live_reads.py); everything else goes to Django's
  WSGI handler on a fixed pool of HTTP_THREADS threads (a2wsgi).
  Django's own ASGI handler would start and join a thread per request (asgiref's
  ThreadSensitiveContext): measured, a trivial request 3.7 ms -> 1.1 ms of CPU this way, and
  the loop stays free for pushes (BENCHMARKS.md). The views are sync anyway.
* WebSocket: the Channels consumers (realtime/routing.py).
* Once all of it is loaded, what is loaded is frozen out of the garbage collector's scans
  (``gc.freeze``): Django, the apps and the libraries are ~130,000 objects that live as long
  as the process, and a full collection walked them all, 50-90 ms on this machine, at random
  in the middle of an on-sale's rush (BENCHMARKS.md, "Best available in batches").
* At the ASGI lifespan's startup, on the server's loop: the broadcast publisher is bound to
  this loop (so a commit in any request thread is sent from here, realtime/broadcast.py), the
  loop's database pool opens (reservations/api/loop_database.py), the pools' figures are
  sampled into the metrics (reservations/api/pool_metrics.py), and in the embedded default
  (no Redis, so no sweeper process) the expiry sweeper and the webhook worker start on threads.
  At its shutdown the pool closes and the process's live gauges leave the metrics' sums
  (reservations/metrics.py).
  Every server process ticks the waiting rooms on a thread of its own
  (reservations/waiting_room/ticks.py), and sends the e-mail verification links on another
  (reservations/accounts/verification_emails.py). A server without a lifespan (daphne, the tests'
  communicators) binds on the first call instead.
"""

import asyncio
import gc
import os
import threading
from functools import partial

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_wsgi_app = get_wsgi_application()

# Imported once Django is set up.
from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from realtime.broadcast import bind_server_loop  # noqa: E402
from realtime.idle_events import map_large_blocks_apart  # noqa: E402
from realtime.routing import websocket_application  # noqa: E402
from reservations.accounts.verification_emails import verifications_send_due  # noqa: E402
from reservations.api.loop_app import LoopApp  # noqa: E402
from reservations.api.loop_database import (  # noqa: E402
    close_loop_pool,
    loop_database_enabled,
    loop_pool,
)
from reservations.api.pool_metrics import pools_sampled_forever  # noqa: E402
from reservations.api.request_bodies import BufferedBodies  # noqa: E402
from reservations.confirmations.sending import confirmations_send_due  # noqa: E402
from reservations.metrics import process_stopped  # noqa: E402
from reservations.outbox import MAIL_ROUND_SECONDS, rounds_forever  # noqa: E402
from reservations.services import sweep_forever  # noqa: E402
from reservations.waiting_room.ticks import ticks_forever  # noqa: E402
from reservations.webhooks.worker import Worker  # noqa: E402

HTTP_THREADS = int(os.environ.get("HTTP_THREADS", "16"))


class ServerStart:
    """Runs the start-up binding once, on the server's loop, then passes every call on."""

    def __init__(self, application):
        self.application = application
        self.loop: asyncio.AbstractEventLoop | None = None
        self._sampling: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if self.loop is None or not self.loop.is_running():
            self._start(asyncio.get_running_loop())
        await self.application(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._start(asyncio.get_running_loop())
                if loop_database_enabled():
                    await loop_pool()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._sampling is not None:
                    self._sampling.cancel()
                await close_loop_pool()
                process_stopped()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        first = self.loop is None
        self.loop = loop
        bind_server_loop(loop)
        if self._sampling is None or self._sampling.get_loop() is not loop:
            self._sampling = loop.create_task(pools_sampled_forever())
        if first and not settings.REDIS_URL:
            threading.Thread(target=sweep_forever, name="embedded-sweeper", daemon=True).start()
            # Nothing else of the embedded default runs the webhook worker: it sends from here.
            worker = Worker().run_forever
            threading.Thread(
                target=worker, args=(threading.Event(),), name="embedded-webhooks", daemon=True
            ).start()
        if first and settings.QUEUE_TICKS:
            threading.Thread(target=ticks_forever, name="queue-ticks", daemon=True).start()
        mail = [
            *([verifications_send_due] if settings.VERIFICATION_EMAILS else []),
            *([confirmations_send_due] if settings.CONFIRMATION_EMAILS else []),
        ]
        if first and mail:
            send = partial(rounds_forever, *mail, every=MAIL_ROUND_SECONDS, stop=threading.Event())
            threading.Thread(target=send, name="e-mails", daemon=True).start()


http_application = BufferedBodies(LoopApp(WSGIMiddleware(django_wsgi_app, workers=HTTP_THREADS)))

application = ServerStart(
    ProtocolTypeRouter({"http": http_application, "websocket": websocket_application})
)

# The channel layer's backend, imported now rather than by the first broadcast of an on-sale.
get_channel_layer()

map_large_blocks_apart()

# Last: everything above lives as long as the process (see the module's docstring).
gc.freeze()
