"""A real HTTP receiver for the webhook tests, on 127.0.0.1 in a thread of the test: it keeps
every request it is sent (headers, body, when it arrived) and answers as the test says. It can
be stopped and started again on the same port (a receiver that is down, then back)."""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

from harness.servers import free_port
from reservations.models import WebhookEndpoint

CONFIRMED, CANCELLED = "reservation.confirmed", "reservation.cancelled"
SEATS_CHANGED = "seats.changed"


@dataclass
class Arrival:
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when it arrived
    status: int  # what the receiver answered

    @property
    def msg_id(self) -> str:
        return self.headers["webhook-id"]

    def verified(self, secret: str):
        """The body, parsed, once the library's own verifier has checked its signature."""
        return Webhook(secret).verify(self.body, self.headers)


class Receiver:
    def __init__(self):
        self.port = free_port()
        self.arrivals: list[Arrival] = []
        # What to answer: a status, or a function of the webhook-id (a first failure, ...).
        self.answer = lambda msg_id: 200
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = receiver.answer(headers.get("webhook-id"))
                with receiver._lock:
                    receiver.arrivals.append(Arrival(headers, body, time.time(), status))
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answered {status}".encode())

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: nothing listens on the port any more (a POST is refused)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def delivered(self) -> list[Arrival]:
        """The arrivals it answered with a 2xx."""
        with self._lock:
            return [a for a in self.arrivals if 200 <= a.status < 300]

    def wait_for(self, count: int, timeout: float = 10) -> list[Arrival]:
        deadline = time.monotonic() + timeout
        while len(self.delivered()) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.delivered()


def endpoint_for(receiver: Receiver, *types: str, event=None, **fields) -> WebhookEndpoint:
    """An endpoint registered for `types` (of `event`, or every event) at this receiver."""
    return WebhookEndpoint.objects.create(
        url=receiver.url, event=event, event_types=list(types), **fields
    )
