"""Each server process's copy of which events have a waiting room, with each room's revocation
generation and times: what the turn check needs, kept in memory so that a click costs no
network call.

Read again, one query for every room, when the copy is older than ROOMS_MAX_AGE. A reader on the
loop waits for that query only when the copy is older than twice that (a quiet spell); between
the two, the copy goes on serving while the query runs on a thread of its own
(stale-while-revalidate). So a generation bump or a new waiting room reaches every process
within 2 * ROOMS_MAX_AGE.
"""

import asyncio
import logging
import threading
import time
from datetime import datetime
from typing import NamedTuple

from asgiref.sync import sync_to_async
from django.db import close_old_connections

logger = logging.getLogger("reservations.waiting_room")

ROOMS_MAX_AGE = 1.0


class RoomInMemory(NamedTuple):
    generation: int
    opens_at: datetime
    on_sale_at: datetime


def _read_rooms() -> dict[int, RoomInMemory]:
    from reservations.models import WaitingRoom

    fields = ("event_id", "generation", "opens_at", "on_sale_at")
    return {row[0]: RoomInMemory(*row[1:]) for row in WaitingRoom.objects.values_list(*fields)}


class RoomsInMemory:
    def __init__(self):
        self._rooms: dict[int, RoomInMemory] | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()
        self._refreshing: asyncio.Future | None = None

    def room_of(self, event_id: int) -> RoomInMemory | None:
        """The event's room, None for an event without one (request threads)."""
        if self._rooms is None or time.monotonic() - self._read_at > ROOMS_MAX_AGE:
            self._refresh()
        return self._rooms.get(event_id)

    async def room_of_async(self, event_id: int) -> RoomInMemory | None:
        """The same on the loop: waits only for the first read of the process."""
        age = time.monotonic() - self._read_at
        if self._rooms is None or age > 2 * ROOMS_MAX_AGE:
            await sync_to_async(self._refresh_off_loop, thread_sensitive=False)()
        elif age > ROOMS_MAX_AGE and (self._refreshing is None or self._refreshing.done()):
            self._refreshing = asyncio.ensure_future(
                sync_to_async(self._refresh_off_loop, thread_sensitive=False)()
            )
        return self._rooms.get(event_id)

    def _refresh_off_loop(self) -> None:
        """On a worker thread: its connection goes back after, as database_sync_to_async's."""
        close_old_connections()
        try:
            self._refresh()
        finally:
            close_old_connections()

    def _refresh(self) -> None:
        with self._lock:
            if self._rooms is not None and time.monotonic() - self._read_at <= ROOMS_MAX_AGE:
                return
            try:
                self._rooms = _read_rooms()
            except Exception:
                if self._rooms is None:
                    raise
                logger.warning("waiting rooms not read again; the copy goes on", exc_info=True)
            self._read_at = time.monotonic()

    def forget(self) -> None:
        """Read again before the next check (a room just made or changed by this process)."""
        self._read_at = -2 * ROOMS_MAX_AGE - 1


rooms = RoomsInMemory()
