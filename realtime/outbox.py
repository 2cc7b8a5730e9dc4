"""Each socket's outbox: the relay hands a frame to every socket without ever waiting for one.

A write to a socket returns at once while the peer reads; once the peer stops reading (a phone
in a tunnel, a client that never reads) the server's write waits until it does. The relay
must never wait there: it serves every socket of the process. So a frame is handed to the
socket's `Outbox`, which writes it at once when it can and otherwise queues it behind the
write in flight, finished by a task of the socket's own.

A socket that falls too far behind (its queue passes `limit` frames) or whose write has not
finished for `STALL_SECONDS` is of no use to its reader any more: the hub closes it with
`CloseCode.TOO_SLOW` and the client reconnects and takes a fresh snapshot (PROTOCOL.md "Closing").

Writing "at once when it can": where the server takes pre-built frames (frames.py,
websocket_protocol.py), the frame's bytes, built once for every socket, go straight to the
transport, ~1 µs of Python a socket. Elsewhere the first step of the ASGI send is run right
here, as Python 3.12's eager tasks do. It completes without suspending when the
transport takes the bytes (the common case, which then costs no task at all); only a write
that has to wait becomes a task. An idle socket holds no task, which keeps it under its
memory budget (BENCHMARKS.md "memory per idle watcher").
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from .frames import Encoded

logger = logging.getLogger("realtime.outbox")

STALL_SECONDS = 5.0
OUTBOX_FRAMES = 4096


class Outbox:
    __slots__ = ("_send", "_write", "_queued", "_writer", "_since", "limit")

    def __init__(
        self,
        send: Callable[[dict], Awaitable[None]],
        write: Callable[[bytes], bool] | None = None,
        limit: int = OUTBOX_FRAMES,
    ):
        self._send = send  # the socket's ASGI send
        self._write = write  # the server's pre-built frame writer; False: the transport is full
        self._queued: list[Encoded] = []  # behind the write in flight, in order
        self._writer: asyncio.Task | None = None  # finishes a write that had to wait
        self._since = 0.0  # when the write in flight started
        self.limit = limit

    def put(self, frame: Encoded) -> bool:
        """Hand a frame over; False when the outbox is full (the socket is too slow)."""
        if self._writer is not None:
            if len(self._queued) >= self.limit:
                return False
            self._queued.append(frame)
            return True
        if self._write is not None and self._write(frame.wire):
            return True
        # Through ASGI, which waits for a full transport to drain.
        write = self._send({"type": "websocket.send", "text": frame.text})
        try:
            waiting_on = write.send(None)
        except StopIteration:
            return True  # written at once
        except Exception as exc:  # the socket went away; its disconnect follows
            logger.debug("write to a closing socket: %s", exc)
            return True
        self._since = time.monotonic()
        self._writer = asyncio.ensure_future(self._finish(write, waiting_on))
        return True

    def stalled(self, now: float) -> bool:
        return self._writer is not None and now - self._since > STALL_SECONDS

    def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        self._queued = []

    async def _finish(self, write: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        try:
            await _resume(write, waiting_on)
            while self._queued:
                frames, self._queued = self._queued, []
                for frame in frames:
                    self._since = time.monotonic()
                    await self._send({"type": "websocket.send", "text": frame.text})
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the socket went away; its disconnect follows
            logger.debug("write to a closing socket: %s", exc)
        finally:
            self._writer = None


async def _resume(coroutine: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """Run to its end a coroutine that was stepped by hand and is waiting on `waiting_on`."""
    while True:
        try:
            if waiting_on is None:  # a bare yield (asyncio.sleep(0)): just let others run
                await asyncio.sleep(0)
            else:
                # What a Task does with a future its coroutine yields: take it as waited on.
                waiting_on._asyncio_future_blocking = False
                await waiting_on
        except BaseException as exc:  # cancelled: let the coroutine clean up, then stop
            try:
                waiting_on = coroutine.throw(exc)
            except StopIteration:
                return
            continue
        try:
            waiting_on = coroutine.send(None)
        except StopIteration:
            return
