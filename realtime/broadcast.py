"""The one way a change reaches watchers: registered by the services, sent after commit.

Modelled on Zulip's ``send_event_on_commit``: the message is built inside the transaction (so
it carries exactly the versions written) and handed to ``transaction.on_commit``; a rolled-back
transaction sends nothing. A failure to send (Redis away) is logged, never raised: the booking
has committed and its answer must not turn into an error.
"""

import asyncio
import logging
import time
from collections.abc import Iterable
from functools import partial

import orjson
import redis.asyncio
from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from reservations.selectors import iso

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


def _seats_message(event_id: int, changes: list[dict], epoch: str, seq: int) -> dict:
    text = orjson.dumps(
        {
            "type": "seats",
            "event_id": event_id,
            "seq": seq,
            "epoch": epoch,
            # Commit time, epoch ns: watchers on the same host measure push latency with it.
            "ts": time.time_ns(),
            "changes": changes,
        }
    ).decode()
    # The text is encoded once here; every process relays the same string to its sockets.
    return {"type": "seats.message", "event_id": event_id, "seq": seq, "epoch": epoch, "text": text}


def seats_publish(event_id: int, changes: list[dict]) -> None:
    """Send one `seats` message to every watcher of the event, on every server process."""
    try:
        message = _seats_message(event_id, changes, *seq_next(event_id))
    except Exception:
        logger.exception(
            "broadcast of event %s failed; watchers will resync by seq/epoch", event_id
        )
        return
    send = _group_send(event_id, message)
    server_loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None) or _server_loop
    if server_loop is not None and server_loop.is_running():
        # Inside the server: hand the send to its event loop and let the request answer at
        # once, rather than park this thread until the loop gets round to it. The relay puts
        # messages that overtake each other back in seq order.
        sent = asyncio.run_coroutine_threadsafe(send, server_loop)
        sent.add_done_callback(partial(_log_failure, event_id))
        return
    try:  # a command (the sweeper) or a test without a server loop
        async_to_sync(_await)(send)
    except Exception:
        logger.exception(
            "broadcast of event %s failed; watchers will resync by seq/epoch", event_id
        )


_async_redis: dict[asyncio.AbstractEventLoop, redis.asyncio.Redis] = {}


async def seats_publish_async(event_id: int, seats: Iterable) -> None:
    """seats_publish for code on the event loop, after its transaction has committed."""
    changes = [seat_change(seat) for seat in seats]
    if not changes:
        return
    try:
        client = None
        if settings.REDIS_URL:
            loop = asyncio.get_running_loop()
            client = _async_redis.get(loop)
            if client is None:
                client = _async_redis[loop] = redis.asyncio.Redis.from_url(
                    settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
                )
        message = _seats_message(event_id, changes, *await seq_next_async(client, event_id))
        await _group_send(event_id, message)
    except Exception:
        logger.exception(
            "broadcast of event %s failed; watchers will resync by seq/epoch", event_id
        )


async def _group_send(event_id: int, message: dict) -> None:
    # The pub/sub layer's publishing connection finds out that Redis restarted only when it
    # next writes: try that write once more on a fresh connection before giving up.
    try:
        await get_channel_layer().group_send(event_group(event_id), message)
    except redis.ConnectionError:
        await get_channel_layer().group_send(event_group(event_id), message)


async def _await(coroutine):
    return await coroutine


def _log_failure(event_id: int, sent) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        logger.error(
            "broadcast of event %s failed; watchers will resync by seq/epoch",
            event_id,
            exc_info=sent.exception(),
        )
