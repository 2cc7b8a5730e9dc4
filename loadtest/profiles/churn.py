"""Churn: holds taken and let go all over the map, with the conflicts that come of it."""

import random

from . import Profile, register


@register
class Churn(Profile):
    """each clicker locks a random seat of the whole map, lets it go and locks it again
    (conflicts expected)."""

    name = "churn"

    async def click(self, clicker, share, stop):
        async for _ in self.paced(stop):
            seat = random.choice(self.seat_ids)
            await clicker.make_room()
            if await clicker.lock(seat):
                await clicker.unlock(seat)
                await clicker.lock(seat)
