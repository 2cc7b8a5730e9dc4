"""A WebSocket client that reads only when told to: a peer that stopped reading, on demand.

Framing is websockets' own sans-I/O client protocol; the socket is a plain blocking one with a
small receive buffer, so the server meets back-pressure as it would from a stalled phone.
"""

import socket
import time

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri


class RawWebSocket:
    def __init__(self, url: str, *, receive_buffer: int = 4096):
        uri = parse_uri(url)
        self.protocol = ClientProtocol(uri, max_size=None)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.connect((uri.host, uri.port))
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        while self.protocol.handshake_exc is None and not self._handshake_done():
            self._feed(self.sock.recv(4096))
        if self.protocol.handshake_exc is not None:
            raise self.protocol.handshake_exc
        self.frames: list[Frame] = []

    def _handshake_done(self) -> bool:
        events = self.protocol.events_received()
        self._early = [e for e in events if isinstance(e, Frame)]
        return any(not isinstance(e, Frame) for e in events)

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)

    def _feed(self, data: bytes) -> None:
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()

    def send_text(self, text: str) -> None:
        self.protocol.send_text(text.encode())
        self._flush()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_until_closed(self, within: float) -> int | None:
        """Read everything until the server closes; its close code (None: dropped, no code)."""
        deadline = time.monotonic() + within
        self.sock.settimeout(0.5)
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(1 << 20)
            except TimeoutError:
                continue
            except ConnectionResetError:
                return None
            self._feed(data)
            for event in self.protocol.events_received():
                if isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
                    return self.protocol.close_rcvd.code if self.protocol.close_rcvd else None
            if not data:
                return None
        raise TimeoutError("the server did not close the socket")

    def close(self) -> None:
        self.sock.close()
