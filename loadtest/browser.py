"""One buyer's browser for the on-sale's arrivals, on bare asyncio protocols: the page's GETs
over HTTP/1.1 on connections it keeps alive (parsed by httptools, uvicorn's parser), and the
page's WebSocket (ws_frames.py), all counting the bytes the sockets delivered.

Why not aiohttp, as the clickers: an arrival through it cost the load client 5.1 ms of CPU where
the server spent 4.3 (BENCHMARKS.md, issue 41), so 1,000 arrivals at once measured the client.
What a browser does is kept: connections of its own (the page's reads at once, each on a
connection unless one is idle), the socket on one more, `Accept-Encoding: gzip, br`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

import httptools

from .ws_frames import (
    CLOSE,
    COMPRESSED,
    TEXT,
    ClientSocket,
    Inflater,
    agreed_deflate,
    client_frame,
    handshake,
)

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
        request = handshake(ws_url, origin, deflate=self.deflate)
        socket = await self._open(lambda: _Socket(self, request), parts.hostname, parts.port or 80)
        try:
            await socket.opened
        except BaseException:
            socket.transport.abort()
            raise
        if agreed_deflate(socket.head):
            socket.inflater = Inflater(socket.head)
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


class _Socket(ClientSocket):
    """The page's WebSocket: text frames to `on_text` once it `listen`s. `close_code` is done
    when the socket ends: the code of the server's close frame, None if it sent none."""

    listening = False

    def __init__(self, browser: Browser, request: bytes):
        super().__init__(request)
        self.browser = browser
        self.on_text: Callable[[str], None] | None = None
        self.inflater: Inflater | None = None
        self.close_code = asyncio.get_running_loop().create_future()

    def listen(self, on_text: Callable[[str], None]) -> None:
        """Hand text frames to `on_text` from now on, those that came with the handshake's
        answer first (the listener may answer them: it has the socket by then)."""
        self.on_text, self.listening = on_text, True
        self.frames()
        if self.lost:
            self._ended(None)

    def send_text(self, text: str) -> None:
        self.transport.write(client_frame(TEXT, text.encode()))

    def connection_lost(self, exc) -> None:
        super().connection_lost(exc)
        self.browser.connections.discard(self.transport)
        if self.listening:  # else its frames wait for `listen`, a close among them
            self._ended(None)

    def data_received(self, data: bytes) -> None:
        self.browser.bytes += len(data)
        super().data_received(data)

    def frame(self, opcode: int, start: int, size: int) -> None:
        payload = self.buffer[start : start + size]  # a copy: the buffer drops the frame next
        if opcode == TEXT:
            if self.buffer[0] & COMPRESSED:
                payload = self.inflater.inflate(payload)
            self.on_text(payload.decode())
        elif opcode == CLOSE:
            if not self.lost:
                self.transport.write(client_frame(CLOSE, payload[:2]))
                self.transport.close()
            self._ended(int.from_bytes(payload[:2], "big") if size >= 2 else None)

    def _ended(self, code: int | None) -> None:
        if not self.close_code.done():
            self.close_code.set_result(code)
