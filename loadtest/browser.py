"""One buyer's browser for the on-sale's arrivals, on bare asyncio protocols: the page's GETs
over HTTP/1.1 on connections it keeps alive (parsed by httptools, uvicorn's parser), and the
page's WebSocket (`Socket`: websockets' sans-I/O protocol), all counting the bytes the sockets
delivered.

Why not aiohttp, as the clickers: an arrival through it cost the load client 5.1 ms of CPU where
the server spent 4.3 (BENCHMARKS.md, issue 41), so 1,000 arrivals at once measured the client.
What a browser does is kept: connections of its own (the page's reads at once, each on a
connection unless one is idle), the socket on one more, `Accept-Encoding: gzip, br`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

import httptools
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import CloseCode, Frame, Opcode
from websockets.protocol import State
from websockets.typing import Origin
from websockets.uri import parse_uri

# What a browser offers (Chrome and Firefox both offer more; these two are what servers send).
ACCEPT_ENCODING = "gzip, br"
# Seconds an idle connection is used again: under uvicorn's 5 s keep-alive, so that no request
# goes out on a connection the server is closing at that instant (api.http_session).
KEEP_ALIVE = 4.0


class Answer(NamedTuple):
    status: int
    body: bytes  # as sent: compressed if `coding` says so
    coding: str | None


class Browser:
    """One browser's connections to one host. `bytes`: what its sockets delivered so far,
    compressed, headers and frames included. `deflate`: its sockets offer permessage-deflate
    (a browser does; the load tester's sockets only with --deflate, as the server's is off by
    default)."""

    def __init__(self, base: str, *, deflate: bool = False):
        self.deflate = deflate
        parts = urlsplit(base)
        self.host, self.port, self.netloc = parts.hostname, parts.port or 80, parts.netloc
        self.bytes = 0
        self.idle: list[_Http] = []
        self.connections: set[asyncio.Transport] = set()

    async def get(self, path: str, headers: dict[str, str]) -> Answer:
        """GET `path` on an idle connection or a new one. Raises OSError if the connection
        fails or closes before the whole answer."""
        connection = self._idle_connection() or await self._open(
            lambda: _Http(self), self.host, self.port
        )
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        answer = connection.ask(
            f"GET {path} HTTP/1.1\r\nHost: {self.netloc}\r\n"
            f"Accept-Encoding: {ACCEPT_ENCODING}\r\n{lines}\r\n".encode()
        )
        try:
            return await answer
        finally:
            if not answer.done():  # cancelled: the connection is mid-answer, of no more use
                connection.transport.abort()

    async def websocket(self, ws_url: str, origin: str) -> _Socket:
        """The page's socket, open, its frames held until it is `listen`ed to. Raises
        ConnectionError if the server refuses the handshake or closes during it."""
        parts = urlsplit(ws_url)
        socket = await self._open(
            lambda: _Socket(self, ws_url, origin), parts.hostname, parts.port or 80
        )
        try:
            await socket.opened
        except BaseException:
            socket.transport.abort()
            raise
        return socket

    def _idle_connection(self) -> _Http | None:
        now = asyncio.get_running_loop().time()
        while self.idle:
            connection = self.idle.pop()
            if now - connection.idle_since < KEEP_ALIVE:
                return connection
            connection.transport.close()
        return None

    def close(self) -> None:
        for transport in list(self.connections):
            transport.abort()

    async def _open(self, protocol: Callable[[], asyncio.Protocol], host: str, port: int):
        transport, connection = await asyncio.get_running_loop().create_connection(
            protocol, host, port
        )
        self.connections.add(transport)
        return connection


class _Http(asyncio.Protocol):
    """One keep-alive connection, one request at a time."""

    def __init__(self, browser: Browser):
        self.browser = browser
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future | None = None
        self.body: list[bytes] = []
        self.coding: str | None = None
        self.idle_since = 0.0

    def ask(self, request: bytes) -> asyncio.Future:
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.answer

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.browser.bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.transport.abort()
            self._give(ConnectionError(f"unreadable answer: {exc}"))

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"content-encoding":
            self.coding = value.decode()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        answer = Answer(self.parser.get_status_code(), b"".join(self.body), self.coding)
        self.body, self.coding = [], None
        if self.parser.should_keep_alive():
            self.idle_since = asyncio.get_running_loop().time()
            self.browser.idle.append(self)
        else:
            self.transport.close()
        self._give(answer)

    def connection_lost(self, exc) -> None:
        self.browser.connections.discard(self.transport)
        if self in self.browser.idle:
            self.browser.idle.remove(self)
        self._give(ConnectionResetError("closed before the whole answer"))

    def _give(self, outcome: Answer | Exception) -> None:
        answer, self.answer = self.answer, None
        if answer is not None and not answer.done():
            if isinstance(outcome, Exception):
                answer.set_exception(outcome)
            else:
                answer.set_result(outcome)


class Socket(asyncio.Protocol):
    """One WebSocket client connection: websockets' sans-I/O protocol (RFC 6455 and 7692: the
    server's answer checked, its Sec-WebSocket-Accept included; pings answered; frames masked
    with random keys; a message read whole however it is fragmented or compressed) under a bare
    asyncio transport, as light as the client can be: no task or queue per socket.

    `opened` says whether the server accepted; while `listening`, each whole text message goes
    to `message` and the server's close frame to `closed`, as they come (until then they are
    `held`). `lost`: the connection has ended."""

    listening = True

    def __init__(self, ws_url: str, origin: str, *, deflate: bool = False):
        self.protocol = ClientProtocol(
            parse_uri(ws_url),
            origin=Origin(origin),
            extensions=[ClientPerMessageDeflateFactory()] if deflate else None,
            max_size=None,  # the arena's full snapshot is over websockets' 1 MiB default
        )
        self.protocol.send_request(self.protocol.connect())
        self.transport: asyncio.Transport | None = None
        self.opened = asyncio.get_running_loop().create_future()
        self.held: list[Frame] = []
        self.parts: list[bytes] = []  # a fragmented message's frames so far
        self.lost = False

    def message(self, data: bytes) -> None:
        """A whole text message, its UTF-8 bytes."""

    def closed(self, code: int | None) -> None:
        """The server's close frame, answered already: its code, None if it gave none."""

    def send_text(self, text: str) -> None:
        """Sent while the socket is open; dropped once it is closing, as a browser drops it."""
        if self.protocol.state is State.OPEN:
            self.protocol.send_text(text.encode())
            self._write()

    def connection_made(self, transport) -> None:
        self.transport = transport
        self._write()  # the handshake's request

    def connection_lost(self, exc) -> None:
        self.lost = True
        self.protocol.receive_eof()
        if not self.opened.done():
            self.opened.set_exception(ConnectionResetError("closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        protocol = self.protocol
        protocol.receive_data(data)
        self._write()
        events = protocol.events_received()
        if not self.opened.done():
            if protocol.handshake_exc is not None:
                self.opened.set_exception(ConnectionRefusedError(str(protocol.handshake_exc)))
                self.transport.abort()
                return
            if protocol.state is State.CONNECTING:
                return  # the answer is not all in
            self.opened.set_result(None)
            del events[0]  # the answer; frames that came with it follow
        if self.listening:
            self.frames(events)
        else:
            self.held += events

    def frames(self, frames: Iterable[Frame]) -> None:
        for frame in frames:
            opcode = frame.opcode
            if opcode is Opcode.TEXT and frame.fin:  # a message in one frame: the usual case
                self.message(frame.data)
            elif opcode is Opcode.TEXT or opcode is Opcode.CONT:
                self.parts.append(frame.data)
                if frame.fin:
                    data, self.parts = b"".join(self.parts), []
                    self.message(data)
            elif opcode is Opcode.CLOSE:
                code = self.protocol.close_rcvd.code
                self.closed(None if code == CloseCode.NO_STATUS_RCVD else code)

    def _write(self) -> None:
        writes = self.protocol.data_to_send()
        if writes:  # a delivery writes nothing: only a handshake, a pong, a text or a close do
            for data in writes:
                if data:  # b"": the end of the stream, closed below
                    self.transport.write(data)
            if self.protocol.close_expected():  # a close answered (or the handshake failed)
                self.transport.close()


class _Socket(Socket):
    """The page's WebSocket: text messages to `on_text` once it `listen`s. `close_code` is done
    when the socket ends: the code of the server's close frame, None if it sent none."""

    listening = False

    def __init__(self, browser: Browser, ws_url: str, origin: str):
        super().__init__(ws_url, origin, deflate=browser.deflate)
        self.browser = browser
        self.on_text: Callable[[str], None] | None = None
        self.close_code = asyncio.get_running_loop().create_future()

    def listen(self, on_text: Callable[[str], None]) -> None:
        """Hand text messages to `on_text` from now on, those that came with the handshake's
        answer first (the listener may answer them: it has the socket by then)."""
        self.on_text, self.listening = on_text, True
        held, self.held = self.held, []
        self.frames(held)
        if self.lost:
            self.closed(None)

    def connection_lost(self, exc) -> None:
        super().connection_lost(exc)
        self.browser.connections.discard(self.transport)
        if self.listening:  # else its frames wait for `listen`, a close among them
            self.closed(None)

    def data_received(self, data: bytes) -> None:
        self.browser.bytes += len(data)
        super().data_received(data)

    def message(self, data: bytes) -> None:
        self.on_text(data.decode())

    def closed(self, code: int | None) -> None:
        if not self.close_code.done():
            self.close_code.set_result(code)
