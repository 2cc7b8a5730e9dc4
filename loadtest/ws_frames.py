"""RFC 6455 by hand, for the load tester's bare sockets (browser.py, fanout/watch.py): the
opening handshake, a server's frames as they come, a client's frames, and `ClientSocket`, the
connection that does both; and RFC 7692's permessage-deflate, a server's compressed messages
read (`Inflater`).

By hand because a client that outspends the server measures itself: an arrival through aiohttp
cost the load client more CPU than the server (4.4 against 4.6 ms), on these sockets a third of
it (1.5 ms); a watcher keeping its seat map, 36 µs of client CPU a delivery against 29
(BENCHMARKS.md, issue 41).
"""

import asyncio
import base64
import os
import zlib
from urllib.parse import urlsplit

CLOSE, PING, PONG, TEXT = 0x8, 0x9, 0xA, 0x1
COMPRESSED = 0x40  # RSV1 of a message's first frame (RFC 7692 6)
DEFLATE = b"permessage-deflate"


def handshake(ws_url: str, origin: str, *, deflate: bool = False) -> bytes:
    """A browser's opening request for `ws_url` (its query included), offering
    permessage-deflate if `deflate`."""
    parts = urlsplit(ws_url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    key = base64.b64encode(os.urandom(16)).decode()
    offer = f"Sec-WebSocket-Extensions: {DEFLATE.decode()}\r\n" if deflate else ""
    return (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\n{offer}\r\n"
    ).encode()


def handshake_answer(buffer: bytearray) -> bytes | None:
    """The server's answer to the handshake (status line and headers) once it is all in, taken
    out of `buffer`, which keeps the frames after it; None until then."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end])
    del buffer[: end + 4]
    return head


def accepted(head: bytes) -> bool:
    return b" 101 " in head.split(b"\r\n", 1)[0] + b" "


class Inflater:
    """A server's compressed messages, as permessage-deflate agreed in `head` (the handshake's
    answer): one inflate context for the socket's life unless the server said it keeps none."""

    def __init__(self, head: bytes):
        self.fresh_each = b"server_no_context_takeover" in head.lower()
        self.context = zlib.decompressobj(-zlib.MAX_WBITS)

    def inflate(self, payload: bytes) -> bytes:
        if self.fresh_each:
            self.context = zlib.decompressobj(-zlib.MAX_WBITS)
        return self.context.decompress(payload + b"\x00\x00\xff\xff")


def agreed_deflate(head: bytes) -> bool:
    return any(
        line.lower().startswith(b"sec-websocket-extensions:") and DEFLATE in line.lower()
        for line in head.split(b"\r\n")
    )


def frame_at(buffer: bytearray) -> tuple[int, int, int] | None:
    """The first frame in `buffer` as a server sends it (unmasked, RFC 6455 5.2): its opcode,
    where its payload starts and its size; None until the whole frame is in."""
    if len(buffer) < 2:
        return None
    size, start = buffer[1] & 0x7F, 2
    if size >= 126:
        start = 4 if size == 126 else 10
        if len(buffer) < start:
            return None
        size = int.from_bytes(buffer[2:start], "big")
    if len(buffer) < start + size:
        return None
    return buffer[0] & 0x0F, start, size


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One final frame from a client, masked with a zero key (RFC 6455 5.3 asks for a mask, and
    any key unmasks: XOR with zeros leaves the payload as it is)."""
    n = len(payload)
    if n < 126:
        length = bytes([0x80 | n])
    elif n < 1 << 16:
        length = bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        length = bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return bytes([0x80 | opcode]) + length + b"\0\0\0\0" + payload


class ClientSocket(asyncio.Protocol):
    """One WebSocket client connection: it sends `request` (`handshake`'s), then `opened` says
    whether the server accepted; while `listening`, each whole frame but a ping goes to `frame`
    (a ping is answered here) as it comes. `lost`: the connection has ended."""

    listening = True

    def __init__(self, request: bytes):
        self.request = request
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.opened = asyncio.get_running_loop().create_future()
        self.head = b""  # the server's answer to the handshake
        self.lost = False

    def frame(self, opcode: int, start: int, size: int) -> None:
        """A frame, still in `self.buffer` at `start` (a server's frame is `size` bytes)."""

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc) -> None:
        self.lost = True
        if not self.opened.done():
            self.opened.set_exception(ConnectionResetError("closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.opened.done():
            head = handshake_answer(self.buffer)
            if head is None:
                return
            if not accepted(head):
                status = head.split(b"\r\n", 1)[0]
                self.opened.set_exception(ConnectionRefusedError(status.decode(errors="replace")))
                self.transport.abort()
                return
            self.head = head
            self.opened.set_result(None)
        if self.listening:
            self.frames()

    def frames(self) -> None:
        buffer = self.buffer
        while (found := frame_at(buffer)) is not None:
            opcode, start, size = found
            if opcode != PING:
                self.frame(opcode, start, size)
            elif not self.lost:
                self.transport.write(client_frame(PONG, bytes(buffer[start : start + size])))
            del buffer[: start + size]
