"""A real HTTP receiver for the webhook tests, on 127.0.0.1 in a thread of the test: it keeps
every request it is sent (headers, body, when it arrived) and answers as the test says. It can
be stopped and started again on the same port (a receiver that is down, then back). Beside it,
two that misbehave on a plain socket: one that drips its answer, one that floods it."""

import itertools
import select
import socket
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
        # A short poll: stop() waits for serve_forever's next one (0.5 s at its default).
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
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


class Dripping:
    """A receiver that reads each request whole, then answers one byte every `every` seconds and
    never finishes (issue 60 row 4): what it was sent, how many connections it held at once, and
    for how long each was held before the sender closed it."""

    def __init__(self, every: float = 0.25):
        self.port, self.every = free_port(), every
        self.msg_ids: list[str] = []
        self.held: list[float] = []  # seconds, of each connection the sender closed
        self.open = self.most_open = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", self.port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Dripping":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket) -> None:
        with connection:
            headers = _request_headers(connection)
            began = time.monotonic()
            with self._lock:
                self.msg_ids.append(headers.get("webhook-id", ""))
                self.open += 1
                self.most_open = max(self.most_open, self.open)
            try:
                for byte in itertools.cycle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 64):
                    readable, _, _ = select.select([connection], [], [], self.every)
                    if readable and not connection.recv(1):
                        break  # the sender closed it
                    connection.sendall(bytes([byte]))
            except OSError:
                pass
            with self._lock:
                self.open -= 1
                self.held.append(time.monotonic() - began)


class Flood:
    """A receiver that answers 200 with a 200 MB reply, sent as fast as it is taken; `sent`:
    how many bytes of it went out before the sender closed the connection."""

    SIZE = 200 * 2**20

    def __init__(self):
        self.port, self.sent = free_port(), 0
        self.finished = threading.Event()  # the reply all sent, or the connection closed
        self._server = socket.create_server(("127.0.0.1", self.port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Flood":
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.close()

    def _serve(self) -> None:
        connection, _ = self._server.accept()
        with connection:
            _request_headers(connection)
            connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {self.SIZE}\r\n\r\n".encode())
            chunk = b"x" * 65536
            try:
                while self.sent < self.SIZE:
                    connection.sendall(chunk)
                    self.sent += len(chunk)
            except OSError:
                pass
        self.finished.set()


def _request_headers(connection: socket.socket) -> dict[str, str]:
    """Read one request, its body too; its headers, names in lower case."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", 0)):
        body += connection.recv(65536)
    return headers
