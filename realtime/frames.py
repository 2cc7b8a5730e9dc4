"""Frames as they go to the sockets: encoded once, as JSON text and as WebSocket frame bytes.

A frame is the same for every watcher of an event, so it is encoded once per process, and
once more into the WebSocket frame that carries it (a server's frames are not masked, RFC 6455
5.1): every socket whose server takes pre-built frames (config/server.py's protocol,
realtime/websocket_protocol.py) gets the same bytes written to its transport. A server
without that takes the text through ASGI, as before.
"""

from dataclasses import dataclass

import orjson
from websockets.frames import Frame, Opcode

# The ASGI scope extension through which our server takes pre-built frames:
# `scope["extensions"][PREBUILT_FRAMES]["writer"]`, a PrebuiltWriter (websocket_protocol.py).
PREBUILT_FRAMES = "seatmap.prebuilt_frames"


@dataclass(frozen=True, slots=True)
class Encoded:
    """One server-to-client frame: its JSON text, and the WebSocket frame carrying it."""

    text: str
    wire: bytes


def encoded(message: dict) -> Encoded:
    payload = orjson.dumps(message)
    return Encoded(payload.decode(), Frame(Opcode.TEXT, payload).serialize(mask=False))


def encoded_text(text: str) -> Encoded:
    return Encoded(text, Frame(Opcode.TEXT, text.encode()).serialize(mask=False))


class PrebuiltWriter:
    """Writes to one socket the frames built once for many. The server keeps its fields as its
    own state changes (websocket_protocol.py); the fan-out reads them once a socket, so they are
    in one small object (BENCHMARK-FANOUT.md "Where the time goes")."""

    __slots__ = ("transport", "gone", "ready")

    def __init__(self):
        self.transport = None
        self.gone = False  # a close was sent, or the peer went: nothing more goes out
        self.ready = False  # the handshake is done and the transport takes more

    def write(self, wire: bytes) -> bool:
        """False while the transport is full: the app then sends through ASGI, which waits for
        it to drain. A socket closing or gone takes the frame as written, as ASGI's send would
        lose it."""
        if self.gone or self.transport.is_closing():
            return True
        if not self.ready:
            return False
        self.transport.write(wire)
        return True
