"""The hot seat: every clicker wants the same few seats at once; each has one winner."""

import random
from collections import Counter

from . import Profile, register


@register
class Hot(Profile):
    """every clicker locks one of the same --hot-seats, --clicks times; the verdict wants no
    seat won by two clickers."""

    name = "hot"

    def __init__(self, options, seat_ids):
        super().__init__(options, seat_ids)
        self.seats = random.sample(seat_ids, min(len(seat_ids), max(1, options.hot_seats)))
        self.won: dict[int, list[int]] = {}  # clicker index -> the seats it locked

    @staticmethod
    def arguments(group):
        group.add_argument("--hot-seats", type=int, default=1, help="the K seats they all want")
        group.add_argument("--clicks", type=int, default=1, help="lock requests per clicker")

    async def warm(self, clicker):
        await clicker.make_room(self.options.clicks)  # room under the hold limit for its clicks

    async def click(self, clicker, share, stop):
        for _ in range(self.options.clicks):
            seat = random.choice(self.seats)
            if await clicker.lock(seat):
                self.won.setdefault(clicker.index, []).append(seat)

    def figures(self, clickers):
        return {"hot_seats": self.seats, "winners": len(self.won)} if clickers else {}

    def judge(self, clickers, verdict):
        won = Counter(seat for seats in self.won.values() for seat in set(seats))
        over = [seat for seat, n in won.items() if n > 1]
        if over:
            verdict.fail(f"hot seats won by more than one clicker: {over}")
