"""uvicorn's WebSocket protocol, with closes that a peer who stopped reading cannot hold up.

uvicorn waits for the transport to accept more data before any ASGI send, a close included,
and closes a transport by letting its buffer drain first. A peer that stopped reading never
drains it: the hub's close of a stalled socket (4408, outbox.py) would wait for ever, and so
would the keepalive's 1011, each keeping the socket and its unsent frames in memory. Here a
close sent while the transport is full is queued behind what is pending, and the connection
is dropped if the peer has not read up to it within STALLED_CLOSE_GRACE seconds.

Served by config/server.py (uvicorn's `ws=` option). Written against uvicorn's sans-I/O
protocol (pinned in requirements.txt); realtime/tests/test_stalls.py drives it over real
sockets.
"""

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .frames import PREBUILT_FRAMES, PrebuiltWriter

STALLED_CLOSE_GRACE = 2.0


class _Mirrored:
    """One of uvicorn's flags, kept in the protocol's PrebuiltWriter whenever uvicorn sets it."""

    def __set_name__(self, owner, name):
        self.name = "_" + name

    def __get__(self, protocol, owner=None):
        return self if protocol is None else getattr(protocol, self.name)

    def __set__(self, protocol, value):
        setattr(protocol, self.name, value)
        writer = protocol.prebuilt
        writer.gone = protocol._close_sent or protocol._disconnected
        writer.ready = protocol._handshake_complete and not protocol._paused


class WebSocketProtocol(WebSocketsSansIOProtocol):
    close_sent = _Mirrored()
    disconnected = _Mirrored()
    handshake_complete = _Mirrored()
    paused = _Mirrored()  # uvicorn's `writable` event, cleared

    def __init__(self, *args, **kwargs):
        self.prebuilt = PrebuiltWriter()
        self._close_sent = self._disconnected = self._handshake_complete = self._paused = False
        super().__init__(*args, **kwargs)

    def connection_made(self, transport):
        super().connection_made(transport)
        self.prebuilt.transport = transport

    def pause_writing(self):
        super().pause_writing()
        self.paused = True

    def resume_writing(self):
        super().resume_writing()
        self.paused = False

    def handle_connect(self, event):
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # not set for a refused handshake
        if scope is not None:
            scope["extensions"][PREBUILT_FRAMES] = {"writer": self.prebuilt}

    async def send(self, message):
        if (
            message["type"] == "websocket.close"
            and not self.writable.is_set()
            and self.handshake_complete
            and not self.close_sent
            and not self.transport.is_closing()
        ):
            self._close_while_stalled(message.get("code", 1000), message.get("reason") or "")
            return
        await super().send(message)

    def _close_while_stalled(self, code: int, reason: str) -> None:
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        self.conn.send_close(code, reason)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        self.close_timer = self.loop.call_later(STALLED_CLOSE_GRACE, self.transport.abort)

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        if self.transport.get_write_buffer_size():
            self.transport.abort()  # a dead peer never drains what close() would wait for
