"""Best available's rooms: each event's layout kept in this process (a ``Shelf``), with the
seats its requests have just claimed, so the asks of one process never pick the same seats
(docs/BEST_AVAILABLE.md, steps 3 and 4). Built by ``room_steps``, once per ROOM_SECONDS and
event: building a theatre's room costs ~15 ms, and a rush of buyers at a cold process must not
each build it."""

import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence

from cachetools import FIFOCache
from django.utils import timezone

from ..seating import Room
from . import sql
from .seat_infos import seat_infos
from .sql import Steps

# How long a room's layout (positions, categories, accessibility) is kept before it is read
# again: an organiser may move seats between categories.
ROOM_SECONDS = 30.0
# How long seats a request of this process chose stay out of its other requests' rooms: long
# enough for the transaction that holds them to commit, after which the taken read has them.
CLAIM_SECONDS = 2.0
# Rooms kept per process; the one read longest ago makes way.
SHELVES = 64


class Shelf:
    """One event's room in this process: the layout as last read, and the seats its requests
    have claimed. Shared by the threads of Django's path and the fast path's loop."""

    def __init__(self, room: Room) -> None:
        self.room = room  # the layout, with the free flags of the last request's view
        self.read_at = time.monotonic()
        self._busy = {seat.id for seat in room.seats if not seat.free}  # in `room`
        self._claims: dict[int, float] = {}  # seat id -> until when (monotonic)
        self._ending: deque[tuple[float, Sequence[int]]] = deque()  # claims, as they end
        self._lock = threading.Lock()

    @property
    def stale(self) -> bool:
        return time.monotonic() - self.read_at > ROOM_SECONDS

    def view(self, taken: Iterable[int]) -> Room:
        """The room with every seat free that is neither taken nor claimed."""
        now = time.monotonic()
        with self._lock:
            while self._ending and self._ending[0][0] <= now:
                until, seat_ids = self._ending.popleft()
                for seat_id in seat_ids:
                    if self._claims.get(seat_id) == until:  # not let go, nor claimed again
                        del self._claims[seat_id]
            busy = set(taken)
            busy.update(self._claims)
            changes = dict.fromkeys(busy - self._busy, False)
            changes.update(dict.fromkeys(self._busy - busy, True))
            self.room, self._busy = self.room.with_changes(changes), busy
            return self.room

    def claim(self, seat_ids: Sequence[int]) -> bool:
        """Claim these seats for one request, unless another request holds a claim on any."""
        until = time.monotonic() + CLAIM_SECONDS
        with self._lock:
            if any(seat_id in self._claims for seat_id in seat_ids):
                return False
            self._claims.update(dict.fromkeys(seat_ids, until))
            self._ending.append((until, seat_ids))
            return True

    def release(self, seat_ids: Sequence[int]) -> None:
        with self._lock:
            for seat_id in seat_ids:
                self._claims.pop(seat_id, None)


# The oldest room read goes first when the shelf is full.
_shelves: FIFOCache[int, Shelf] = FIFOCache(maxsize=SHELVES)
_shelving = threading.Lock()  # Django's threads and the fast path's loop both put rooms here


def shelf_of(event_id: int) -> Shelf | None:
    """The event's room in this process, if it is on the shelf."""
    return _shelves.get(event_id)


def room_is_ready(event_id: int) -> bool:
    """Whether the event's room is on the shelf and fresh (else run ``room_steps`` first)."""
    shelf = _shelves.get(event_id)
    return shelf is not None and not shelf.stale


def room_is_kept(event_id: int) -> bool:
    """Whether the event's room is on the shelf, fresh or stale: the steps can run on it."""
    return event_id in _shelves


def room_steps(*, event_id: int) -> Steps[None]:
    """Read the event's layout and put its room on the shelf (nothing for an unknown event)."""
    rows = yield sql.event_seat_infos(event_id=event_id)
    if not rows:
        return
    ((shapes,),) = (yield sql.layout_shapes(event_id=event_id)) or [(None,)]
    if isinstance(shapes, str):  # Django's connection leaves JSON as text
        shapes = json.loads(shapes)
    room = Room.from_seats(seat_infos(rows, timezone.now()), stage=_stage(shapes or []))
    with _shelving:
        _shelves[event_id] = Shelf(room)


def _stage(shapes: Sequence[dict]) -> tuple[float, float] | None:
    """The centre of the plan's stage, if it draws one; else the picker's default (top centre)."""
    for shape in shapes:
        if shape.get("kind") == "rect" and shape.get("role") == "stage":
            return (shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2)
    return None
