"""RFC 6455 by hand, for the load tester's bare sockets (browser.py, fanout/watch.py): the
opening handshake, a server's frames as they come, a client's frames.

By hand because the library clients cost the load client more CPU than the server spends on the
same socket (an aiohttp socket ~35 µs a frame here, a bare protocol ~10 µs: fanout/watch.py), and
a client that outspends the server measures itself.
"""

import base64
import os
from urllib.parse import urlsplit

CLOSE, PING, PONG, TEXT = 0x8, 0x9, 0xA, 0x1


def handshake(ws_url: str, origin: str) -> bytes:
    """A browser's opening request for `ws_url` (its query included)."""
    parts = urlsplit(ws_url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\n\r\n"
    ).encode()


def handshake_answer(buffer: bytearray) -> bytes | None:
    """The server's status line once its whole answer to the handshake is in (taken out of
    `buffer`, which keeps the frames after it); None until then."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    status = bytes(buffer[: buffer.find(b"\r\n")])
    del buffer[: end + 4]
    return status


def accepted(status: bytes) -> bool:
    return b" 101 " in status + b" "


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
