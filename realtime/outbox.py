"""Each socket's outbox: the relay hands a frame to every socket without ever waiting for one.

It is also where a relayed `seats` frame is let through or not (`relay`): held while the
socket's snapshot is read (a new socket reads one, or resumes, before anything else), skipped
when the snapshot holds its transaction already. The fan-out calls `relay` once a socket, so
all it reads there is in this one small object and the server's writer (BENCHMARK-FANOUT.md
"Where the time goes": a socket's objects, read for each of thousands of sockets, cost more
than the instructions).

A write to a socket returns at once while the peer reads; once the peer stops reading (a phone
in a tunnel, a client that never reads) the server's write waits until it does. The relay
must never wait there: it serves every socket of the process. So a frame is handed to the
socket's `Outbox`, which writes it at once when it can and otherwise queues it behind the
write in flight, finished by a task of the socket's own.

A socket that falls too far behind (its queue passes `OUTBOX_FRAMES` frames) or whose write has not
finished for `STALL_SECONDS` is of no use to its reader any more: the hub closes it with
`CloseCode.TOO_SLOW` and the client reconnects and takes a fresh snapshot (PROTOCOL.md "Closing").

Writing "at once when it can": where the server takes pre-built frames (frames.py,
websocket_protocol.py's PrebuiltWriter), the frame's bytes, built once for every socket, go
straight to the transport. Elsewhere the first step of the ASGI send is run right
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

from .frames import Encoded, PrebuiltWriter

logger = logging.getLogger("realtime.outbox")

STALL_SECONDS = 5.0
OUTBOX_FRAMES = 4096


class Outbox:
    __slots__ = ("_send", "_prebuilt", "_queued", "_writer", "_since", "_held", "_at")

    def __init__(
        self, send: Callable[[dict], Awaitable[None]], prebuilt: PrebuiltWriter | None = None
    ):
        self._send = send  # the socket's ASGI send
        self._prebuilt = prebuilt  # the server's writer of pre-built frames, if it has one
        self._queued: list[Encoded] = []  # behind the write in flight, in order
        self._writer: asyncio.Task | None = None  # finishes a write that had to wait
        self._since = 0.0  # when the write in flight started
        # Relayed frames that came while a snapshot is read, as (frame, seq, epoch); None: not
        # reading one.
        self._held: list[tuple[Encoded, int, str]] | None = []
        # (seq, epoch) where the last snapshot (or resume) left the socket: a relayed frame at
        # or below it is in the snapshot already.
        self._at: tuple[int, str] = (0, "")

    # --- relayed frames -----------------------------------------------------------------------

    def relay(self, frame: Encoded, seq: int, epoch: str) -> bool:
        """A relayed `seats` frame, let through unless held or in the snapshot; False when the
        outbox is full (the socket is too slow)."""
        if self._held is not None:
            self._held.append((frame, seq, epoch))
            return True
        at_seq, at_epoch = self._at
        if seq <= at_seq and epoch == at_epoch:
            return True
        return self.put(frame)

    @property
    def holding(self) -> bool:
        """Whether a snapshot is being read (relayed frames wait for it)."""
        return self._held is not None

    def hold(self) -> None:
        """A snapshot is being read: relayed frames wait for it."""
        if self._held is None:
            self._held = []

    def snapshot_sent(self, epoch: str, seq: int) -> list[tuple[Encoded, int, str]]:
        """The snapshot at (epoch, seq) is put: the frames that waited, to `relay` now."""
        self._at = (seq, epoch)
        held, self._held = self._held or [], None
        return held

    def resumed(
        self, epoch: str, seq: int, frames: list[tuple[Encoded, int, str]]
    ) -> tuple[list[Encoded], list[tuple[Encoded, int, str]]]:
        """Going on from (epoch, seq) (PROTOCOL.md "Resuming"): the frames sent since, to put
        after `resumed`, and those that came while joining, to `relay`."""
        for _, frame_seq, _ in frames:
            seq = max(seq, frame_seq)
        return [frame for frame, _, _ in frames], self.snapshot_sent(epoch, seq)

    # --- writing ------------------------------------------------------------------------------

    def put(self, frame: Encoded) -> bool:
        """Hand a frame over; False when the outbox is full (the socket is too slow)."""
        if self._writer is not None:
            if len(self._queued) >= OUTBOX_FRAMES:
                return False
            self._queued.append(frame)
            return True
        if self._prebuilt is not None and self._prebuilt.write(frame.wire):
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
