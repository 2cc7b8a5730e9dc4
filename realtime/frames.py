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
# `scope["extensions"][PREBUILT_FRAMES]["write"](wire) -> bool` (websocket_protocol.py).
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
