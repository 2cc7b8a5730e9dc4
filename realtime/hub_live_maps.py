"""The live maps' reads for requests that are not sockets, registered with reservations in
realtime's AppConfig.ready: an event's seat states, its seat list and a caller's holds
(reservations/api/live_reads.py answers `state/`, `seats/` and `holds/` with them), a
category's counts (the event detail) and the hot seat's refusal (reservations/live_seats.py)."""

import time

from reservations.exceptions import NotFound
from reservations.selectors import MapVersion

from .hub import hub, running_hubs
from .live_map import LiveMap
from .seat_list import seat_list_answer


class HubLiveMaps:
    async def state(self, event_id: int):
        """The event's state view: its `value` is the body of `state/`, the same object for as
        long as the state is unchanged."""
        live = await self._followed(event_id)
        feed = hub().feeds.get(event_id)
        return await live.state(feed.sent_seq if feed else None)

    async def holds(self, event_id: int, user_id: int) -> dict:
        live = await self._followed(event_id)
        return live.own_seats(user_id, time.time())

    async def seat_list(self, version: MapVersion, user_id: int | None, coding: str) -> bytes:
        """The event's seat list as `user_id` sees it (None: anonymous), in `coding`."""
        live = await self._followed(version.event_id)
        return await seat_list_answer(live, version, user_id, coding)

    async def _followed(self, event_id: int) -> LiveMap:
        if not await hub().event_known(event_id):
            raise NotFound("No such event.")
        return await hub().followed_map(event_id)


def category_counts(event_id: int, map_version: int) -> dict[int, tuple[int, int]] | None:
    """Each category's (seats, seats available) from this process's live map of the event, if
    it is trusted and was read at `map_version` (a seat moved to another category since is not
    in it): the counter of reservations/live_seats.py. Called from request threads."""
    for current in running_hubs():
        live = current.maps.get(event_id)
        if live is not None and live.map_version == map_version:
            counts = live.category_counts(time.time())
            if counts is not None:
                return counts
    return None


def seat_taken_by_other(event_id: int, seat_id: int, user_id: int) -> str | None:
    """The seat's label if this process's live map shows it someone else's: the reader of
    reservations/live_seats.py (registered in RealtimeConfig.ready). Called from the loop and
    from request threads: it only reads."""
    now = time.time()
    for current in running_hubs():
        live = current.maps.get(event_id)
        if live is not None and (label := live.taken_by_other(seat_id, user_id, now)):
            return label
    return None
