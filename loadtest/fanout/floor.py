"""The fan-out bench's floor: a bare asyncio loop with no framework, holding N WebSocket clients
and writing, on each trigger, one pre-built frame to every socket. What a server cannot go
below: the kernel's send, once per socket.

    python loadtest/fanout/floor.py --port 8765 --frame-bytes 190

`GET` with `Upgrade: websocket` on any path opens a watcher (RFC 6455's handshake, by hand);
`POST /trigger` builds one text frame of --frame-bytes (`{"type":"seats","seq":N,...}`, the
size of the project's `seats` frame), writes it to every open socket and answers 204. What a
watcher sends is read and dropped. Run as a script, on uvloop (as uvicorn runs): it imports
nothing of the project or the load tester.
"""

import argparse
import asyncio
import base64
import hashlib
import json

import uvloop

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 1.3


def text_frame(payload: bytes) -> bytes:
    """An unmasked, final text frame (RFC 6455 5.2) of a payload under 64 KiB."""
    size = len(payload)
    head = bytes([0x81, size]) if size < 126 else bytes([0x81, 126]) + size.to_bytes(2, "big")
    return head + payload


def seats_payload(seq: int, size: int) -> bytes:
    """`{"type":"seats","seq":N,"pad":"..."}` of `size` bytes (the pad fills it up)."""
    bare = json.dumps({"type": "seats", "seq": seq, "pad": ""}, separators=(",", ":"))
    return bare.replace('"pad":""', '"pad":"' + "x" * max(0, size - len(bare)) + '"').encode()


class Floor:
    def __init__(self, frame_bytes: int):
        self.frame_bytes = frame_bytes
        self.watchers: set[asyncio.Transport] = set()
        self.sent = 0

    def broadcast(self) -> None:
        self.sent += 1
        wire = text_frame(seats_payload(self.sent, self.frame_bytes))
        for transport in self.watchers:
            transport.write(wire)


class Connection(asyncio.Protocol):
    """One connection: a watcher once its handshake is answered, or one trigger request."""

    def __init__(self, floor: Floor):
        self.floor = floor
        self.transport: asyncio.Transport | None = None
        self.request = b""
        self.watching = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.watching:
            return
        self.request += data
        head, found, _ = self.request.partition(b"\r\n\r\n")
        if not found:
            return
        lines = head.split(b"\r\n")
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(b":") for line in lines[1:])
        )
        if lines[0].startswith(b"POST /trigger"):
            self.floor.broadcast()
            self.transport.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            self.transport.close()
        elif b"sec-websocket-key" in headers:
            digest = hashlib.sha1(headers[b"sec-websocket-key"] + GUID).digest()
            self.transport.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: "
                + base64.b64encode(digest)
                + b"\r\n\r\n"
            )
            self.watching = True
            self.floor.watchers.add(self.transport)
        else:
            self.transport.write(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
            self.transport.close()

    def connection_lost(self, exc) -> None:
        self.floor.watchers.discard(self.transport)


async def serve(port: int, frame_bytes: int) -> None:
    floor = Floor(frame_bytes)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Connection(floor), "127.0.0.1", port, backlog=4096, reuse_address=True
    )
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--frame-bytes", type=int, default=190)
    args = parser.parse_args()
    uvloop.run(serve(args.port, args.frame_bytes))


if __name__ == "__main__":
    main()
