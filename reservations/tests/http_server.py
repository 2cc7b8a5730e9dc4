"""A real HTTP server in the test process: uvicorn on a thread, serving the HTTP side of
config/asgi.py (bodies buffered, the fast path, Django behind it) on the test database.

In the test process rather than a process of its own, so a test's `settings` apply to it and
its requests meet the test's rows; over a real socket, so concurrent requests are concurrent
on the fast path's pool and on PostgreSQL.
"""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

from realtime.broadcast import publishes_sent
from reservations.api.fast import FastSeatActions
from reservations.api.request_bodies import BufferedBodies


class _ClosesThePool:
    """The app with a lifespan that closes the fast path's pool on its own loop at shutdown."""

    def __init__(self, fast: FastSeatActions):
        self.fast = fast
        self.app = BufferedBodies(fast)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await publishes_sent()
                if self.fast.pool is not None:
                    await self.fast.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


@contextlib.contextmanager
def http_server() -> Iterator[tuple[str, FastSeatActions]]:
    """Serve on a free port; yield (base URL, the fast path's app); stop afterwards."""
    fast = FastSeatActions(WSGIMiddleware(get_wsgi_application(), workers=8))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        _ClosesThePool(fast), log_level="warning", lifespan="on", backlog=2048, timeout_keep_alive=5
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test's HTTP server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", fast
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
