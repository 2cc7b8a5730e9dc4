"""Holds without contention: no two clickers want the same seat."""

import itertools

from . import Profile, register


@register
class Uniform(Profile):
    """each clicker holds seats of its own share of the map, one after another, letting its
    oldest hold go before it reaches --hold-limit."""

    name = "uniform"

    async def click(self, clicker, share, stop):
        if not share:
            return
        seats = itertools.cycle(share)
        async for _ in self.paced(stop):
            seat = next(seats)
            await clicker.make_room()
            if seat in clicker.held:
                await clicker.unlock(seat)
            await clicker.lock(seat)
