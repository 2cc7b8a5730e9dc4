"""What a server process already knows of its events' seats: the hot seat's refusal without a
database transaction, and the seat counts of the event detail without a scan.

At an on-sale a thousand buyers click the same seat; one wins and every other click is a
refusal. A server process that relays the event's frames to its watchers keeps each seat's
state in memory (realtime/live_map.py); a click on a seat it shows reserved, or held by another
buyer with time left, is refused from there (`refusal`), before any connection is taken.

Such a refusal is the answer the buyer would have had a moment earlier: the memory lags the
database by the time a committed change takes to come back through Redis. It never grants
anything: a seat the memory shows free, or does not know, goes to the booking steps under the
row locks as before. The holder's own click is not refused here (the memory knows who holds).

Realtime registers the reader in its AppConfig.ready; reservations imports no realtime code.
"""

from collections.abc import Callable
from typing import Protocol

from .exceptions import SeatUnavailable

# (event_id, seat_id, user_id) -> the seat's label if the memory shows it taken by someone else
TakenByOther = Callable[[int, int, int], str | None]
# (event_id, map_version) -> {category id: (seats, seats available)} as the memory has them
# now, or None if it has no trusted map of the event read at that map version
CategoryCounts = Callable[[int, int], dict[int, tuple[int, int]] | None]


# The seat list's content-codings, best first where the client's q-values tie: deflate and
# gzip are made of the live map's compressed chunks (realtime/seat_list.py), br and identity
# from the whole body.
SEAT_LIST_CODINGS = ("deflate", "gzip", "br", "identity")


class LiveMapsUnavailable(Exception):
    """This process has no live maps to answer from (realtime is not running here)."""


class LiveMaps(Protocol):
    """An event's live map, for the reads answered from it (reservations/api/live_reads.py)."""

    async def state(self, event_id: int):
        """The event's state: its `value` is the body of `state/` (API.md), the same object
        for as long as the state is unchanged, and its `encodings` a dict where the caller
        keeps what it makes of that body (by coding). NotFound for an unknown event."""

    async def holds(self, event_id: int, user_id: int) -> dict:
        """`seats` and `booked` of the caller's `holds/` (API.md)."""

    async def seat_list(self, version, user_id: int | None, coding: str) -> bytes:
        """The body of `seats/` (API.md) in `coding` (`deflate`, `gzip`, `br` or `identity`),
        `mine` for `user_id` (None: anonymous), at least of the map version `version` (a
        selectors.MapVersion). NotFound for an unknown event; LiveMapsUnavailable when the map
        cannot serve it (the database path answers then)."""


_reader: TakenByOther | None = None
_counter: CategoryCounts | None = None
_maps: LiveMaps | None = None


def live_seats_register(reader: TakenByOther, counter: CategoryCounts) -> None:
    global _reader, _counter
    _reader, _counter = reader, counter


def live_maps_register(maps: LiveMaps) -> None:
    global _maps
    _maps = maps


def live_maps() -> LiveMaps | None:
    """The live maps of this process, or None: a server without realtime."""
    return _maps


def category_counts(*, event_id: int, map_version: int) -> dict[int, tuple[int, int]] | None:
    """Each category's seats and seats available, counted in memory (the event detail of an
    arriving crowd, without a scan of the seat table each); None: count in the database."""
    return _counter(event_id, map_version) if _counter is not None else None


def refusal(*, event_id: int, seat_id: int, user_id: int) -> SeatUnavailable | None:
    """The refusal a click on this seat gets from memory, or None: ask the database."""
    if _reader is None:
        return None
    label = _reader(event_id, seat_id, user_id)
    if label is None:
        return None
    return seat_unavailable([(seat_id, label)])


def seat_unavailable(in_the_way: list[tuple[int, str]]) -> SeatUnavailable:
    """The refusal of seats someone else has, as (id, label): one wording on every path."""
    labels = ", ".join(label for _, label in in_the_way)
    if len(in_the_way) == 1:
        message = f"Seat {labels} is already held or booked by another customer."
    else:
        message = f"Seats {labels} are already held or booked by other customers."
    return SeatUnavailable(message, seats=[seat_id for seat_id, _ in in_the_way])
