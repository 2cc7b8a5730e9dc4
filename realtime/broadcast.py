"""The one way a change reaches watchers: registered by the services, sent after commit.

Modelled on Zulip's ``send_event_on_commit``: the message is built inside the transaction (so
it carries exactly the versions written) and handed to ``transaction.on_commit``; a rolled-back
transaction sends nothing. A failure to send (Redis away) is logged, never raised: the booking
has committed and its answer must not turn into an error.
"""

import asyncio
import logging
import time
import weakref
from collections.abc import Iterable
from functools import partial

import orjson
import redis.asyncio
from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from reservations.selectors import iso

from .redis_clients import async_redis
from .sequence import seq_next, seq_next_async

logger = logging.getLogger("realtime.broadcast")

# The event loop of the server process, for request threads that asgiref did not start
# (config/asgi.py serves HTTP from a fixed thread pool): see bind_server_loop.
_server_loop: asyncio.AbstractEventLoop | None = None


def bind_server_loop(application):
    """Wrap an ASGI app so broadcasts from its threads are handed to the server's loop."""

    async def bound(scope, receive, send):
        global _server_loop
        if _server_loop is None or not _server_loop.is_running():
            _server_loop = asyncio.get_running_loop()
        await application(scope, receive, send)

    return bound


def event_group(event_id: int) -> str:
    return f"event.{event_id}"


def seat_change(seat) -> dict:
    locked = seat.status == "locked"
    return {
        "id": seat.id,
        "status": seat.status,
        "version": seat.version,
        "locked_until": iso(seat.locked_until) if locked else None,
    }


def seats_changed_on_commit(*, event_id: int, seats: Iterable) -> None:
    changes = [seat_change(seat) for seat in seats]
    if changes:
        transaction.on_commit(partial(seats_publish, event_id, changes), robust=True)


def _seats_frames(
    event_id: int, batch: list[tuple[list[dict], int]], epoch: str, last_seq: int
) -> dict:
    """One layer message carrying one `seats` frame per committed transaction of `batch`.

    Each frame is encoded once here; every process relays the same strings to its sockets.
    """
    first_seq = last_seq - len(batch) + 1
    frames = [
        [
            seq,
            orjson.dumps(
                {
                    "type": "seats",
                    "event_id": event_id,
                    "seq": seq,
                    "epoch": epoch,
                    # Commit time, epoch ns: watchers on the same host measure push latency.
                    "ts": committed_ns,
                    "changes": changes,
                }
            ).decode(),
        ]
        for seq, (changes, committed_ns) in enumerate(batch, start=first_seq)
    ]
    return {"type": "seats.message", "event_id": event_id, "epoch": epoch, "frames": frames}


def seats_publish(event_id: int, changes: list[dict]) -> None:
    """Send one `seats` message to every watcher of the event, on every server process."""
    committed_ns = time.time_ns()
    server_loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None) or _server_loop
    if server_loop is not None and server_loop.is_running():
        # Inside the server: hand the message to the loop's publisher and let the request
        # answer at once, rather than park this thread until the loop gets round to it.
        server_loop.call_soon_threadsafe(_enqueue, event_id, changes, committed_ns)
        return
    try:  # a command (the sweeper) or a test without a server loop
        message = _seats_frames(event_id, [(changes, committed_ns)], *seq_next(event_id))
        async_to_sync(_group_send)(event_id, message)
    except Exception:
        logger.exception(
            "broadcast of event %s failed; watchers will resync by seq/epoch", event_id
        )


def seats_publish_from_loop(event_id: int, seats: Iterable) -> None:
    """seats_publish for code running on the event loop, after its transaction committed."""
    changes = [seat_change(seat) for seat in seats]
    if changes:
        _enqueue(event_id, changes, time.time_ns())


class _Publisher:
    """Sends what the commits of one event loop hand it, in batches ("group commit").

    A send is two Redis round trips (take seq, publish), and the layer publishes one message
    at a time on one connection: sent one by one, ~700 commits a second queued up for seconds.
    Here whatever committed while the previous batch was on its way goes out together, one
    `seq` range and one publish per event, each transaction still its own `seats` frame.
    """

    def __init__(self):
        self.pending: list[tuple[int, list[dict], int]] = []
        self.wake = asyncio.Event()
        self.idle = asyncio.Event()  # nothing pending, nothing on its way
        self.redis = async_redis() if settings.REDIS_URL else None
        self.task = asyncio.ensure_future(self._run())

    def put(self, event_id: int, changes: list[dict], committed_ns: int) -> None:
        self.pending.append((event_id, changes, committed_ns))
        self.idle.clear()
        self.wake.set()

    async def _run(self) -> None:
        while True:
            if not self.pending:
                self.idle.set()
            await self.wake.wait()
            self.wake.clear()
            batch, self.pending = self.pending, []
            by_event: dict[int, list[tuple[list[dict], int]]] = {}
            for event_id, changes, committed_ns in batch:
                by_event.setdefault(event_id, []).append((changes, committed_ns))
            for event_id, items in by_event.items():
                try:
                    epoch, last_seq = await seq_next_async(self.redis, event_id, len(items))
                    await _group_send(event_id, _seats_frames(event_id, items, epoch, last_seq))
                except Exception:
                    logger.exception(
                        "broadcast of event %s failed; watchers will resync by seq/epoch",
                        event_id,
                    )


async def publishes_sent() -> None:
    """Wait until everything this loop's commits handed over has gone out (tests, shutdown)."""
    publisher = _publishers.get(asyncio.get_running_loop())
    if publisher is not None and not publisher.task.done():
        await publisher.idle.wait()


_publishers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Publisher]" = (
    weakref.WeakKeyDictionary()
)


def _enqueue(event_id: int, changes: list[dict], committed_ns: int) -> None:
    loop = asyncio.get_running_loop()
    publisher = _publishers.get(loop)
    if publisher is None or publisher.task.done():
        publisher = _publishers[loop] = _Publisher()
    publisher.put(event_id, changes, committed_ns)


async def _group_send(event_id: int, message: dict) -> None:
    # The pub/sub layer's publishing connection finds out that Redis restarted only when it
    # next writes: try that write once more on a fresh connection before giving up.
    try:
        await get_channel_layer().group_send(event_group(event_id), message)
    except redis.ConnectionError:
        await get_channel_layer().group_send(event_group(event_id), message)
