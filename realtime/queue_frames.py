"""The waiting room's frames on one server process (PROTOCOL.md "Waiting room"): each event's
last public state, encoded once for all its sockets; the state as the database has it for a
socket that comes before any tick's frame; the `place` frames of the waiting accounts; and the
delivery to thousands of sockets in slices, so a click runs between them."""

import asyncio
import logging
from collections.abc import Iterable
from typing import Protocol

from channels.db import database_sync_to_async

from reservations.waiting_room.public_state import places_of, queue_state_read

from .frames import Encoded, encoded
from .protocol import place_frame, queue_frame
from .socket_metrics import QUEUE

logger = logging.getLogger("realtime.queue_frames")

# Sockets handed a `queue` frame between two turns of the loop: a click waits at most one slice.
QUEUE_SLICE = 500


class QueueSocket(Protocol):
    event_id: int
    account: int | None

    def deliver_queue(self, frame: Encoded) -> None: ...


class QueueStates:
    """Each event's last waiting-room state here, with its frame."""

    def __init__(self):
        self._states: dict[int, tuple[dict, Encoded]] = {}

    async def frame(self, event_id: int) -> Encoded:
        """The event's last `queue` frame here, or the one the last tick published, read."""
        if (known := self._states.get(event_id)) is not None:
            return known[1]
        state = await database_sync_to_async(queue_state_read)(event_id=event_id)
        if (known := self._states.get(event_id)) is not None:
            return known[1]  # a newer one came from the tick while the database was read
        return self.keep(event_id, state or {"event_id": event_id})[0]

    def keep(self, event_id: int, state: dict) -> tuple[Encoded, bool]:
        """The state's frame, and whether it is the first to say the draw is done."""
        before = self._states.get(event_id)
        frame = encoded(queue_frame(state))
        QUEUE.encoded()
        self._states[event_id] = (state, frame)
        drawn_now = bool(state.get("drawn")) and (before is None or not before[0].get("drawn"))
        return frame, drawn_now

    def events(self) -> Iterable[int]:
        return self._states.keys()

    def drop(self, event_id: int) -> None:
        """The event is let go of (hub.py `forget_idle`): read again if it comes back."""
        self._states.pop(event_id, None)

    def forget(self) -> None:
        """Redis was lost: what changed meanwhile never came; read again."""
        self._states.clear()


async def deliver_in_slices(sockets: list[QueueSocket], frame: Encoded) -> None:
    QUEUE.delivered(len(sockets))
    for start in range(0, len(sockets), QUEUE_SLICE):
        if start:
            await asyncio.sleep(0)
        for socket in sockets[start : start + QUEUE_SLICE]:
            socket.deliver_queue(frame)


async def tell_places(event_id: int, sockets: Iterable[QueueSocket]) -> None:
    """Each socket's account its place, one query for all of them."""
    sockets = list(sockets)
    accounts = {s.account for s in sockets if s.account is not None}
    if not accounts:
        return
    try:
        places = await database_sync_to_async(places_of)(event_id=event_id, accounts=accounts)
    except Exception as exc:  # the database is away: the client reads its place itself
        logger.info("places of event %s not told: %s", event_id, exc)
        return
    for socket in sockets:
        if (place := places.get(socket.account)) is not None:
            frame = place_frame(event_id=event_id, **place)
            socket.deliver_queue(encoded(frame))
