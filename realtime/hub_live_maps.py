"""The live map's reads for requests that are not sockets: an event's seat states and a
caller's holds (reservations/api/live_reads.py answers `state/` and `holds/` with them),
registered with reservations in realtime's AppConfig.ready, as the hot seat's refusal is."""

import time

from reservations.exceptions import NotFound

from .hub import hub
from .live_map import LiveMap


class HubLiveMaps:
    async def state(self, event_id: int):
        """The event's state view: its `value` is the body of `state/`, the same object for as
        long as the state is unchanged."""
        return await (await self._followed(event_id)).state()

    async def holds(self, event_id: int, user_id: int) -> dict:
        live = await self._followed(event_id)
        return live.own_seats(user_id, time.time())

    async def _followed(self, event_id: int) -> LiveMap:
        if not await hub().event_known(event_id):
            raise NotFound("No such event.")
        return await hub().followed_map(event_id)
