"""Snapshots of an event's seat map, shared by every socket that asks at about the same time."""

import asyncio
import time

import orjson
from channels.db import database_sync_to_async

from reservations.api.presenters import seat_states_json
from reservations.selectors import seat_states_get

from .sequence import counters

SNAPSHOT_REUSE_SECONDS = 1.0


def _seat_states(event_id: int) -> list[dict]:
    # Read and shaped on a worker thread: a big map's shaping would hold up the loop's pushes.
    return seat_states_json(seat_states_get(event_id=event_id))


class Snapshot:
    def __init__(self, epoch: str, seq: int, text: str):
        self.epoch, self.seq, self.text = epoch, seq, text
        self.built_at = time.monotonic()


class Snapshots:
    """The event's snapshot, shared by every socket asking within a second at the same seq.

    `seq` is read before the seats, so every message up to it is in the seats. A socket joins
    the relay before it asks, so a message after that seq reaches it through the relay.
    """

    def __init__(self, redis):
        self._counters = counters(redis)
        self._built: dict[int, asyncio.Future] = {}

    async def get(self, event_id: int) -> Snapshot:
        pending = self._built.get(event_id)
        if pending is not None:
            if not pending.done():
                return await asyncio.shield(pending)
            if pending.exception() is None:
                cached = pending.result()
                if time.monotonic() - cached.built_at < SNAPSHOT_REUSE_SECONDS:
                    return cached
        future = self._built[event_id] = asyncio.ensure_future(self._build(event_id))
        return await asyncio.shield(future)

    def forget(self, event_id: int | None = None) -> None:
        """Drop the cached snapshot of one event (a change came) or of all (the feed broke)."""
        if event_id is None:
            self._built.clear()
        else:
            self._built.pop(event_id, None)

    async def _build(self, event_id: int) -> Snapshot:
        epoch, seq = await self._counters.current(event_id)
        seats = await database_sync_to_async(_seat_states)(event_id)
        text = orjson.dumps(
            {"type": "snapshot", "event_id": event_id, "seq": seq, "epoch": epoch, "seats": seats}
        ).decode()
        return Snapshot(epoch, seq, text)
