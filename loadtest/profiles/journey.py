"""The buyer's checkout as the shipped client makes it (the default profile)."""

import random
import time
from collections import deque

from ..clickers import book, hold_by_clicks
from ..commands import seat_range, share
from ..verdict import journey_verdict
from . import Profile, register


@register
class Journey(Profile):
    """a buyer holds --journey-seats seats of its own one click at a time, books them with an
    Idempotency-Key (sent again with the same key if the answer is lost), cancels
    --cancel-share of its bookings, and again on other seats; --rate paces journeys."""

    name = "journey"

    @staticmethod
    def arguments(group):
        group.add_argument(
            "--journey-seats",
            type=seat_range,
            default="1-4",
            metavar="N|MIN-MAX",
            help="seats a journey (or an on-sale or queue buyer) holds and books, drawn "
            "uniformly from MIN to MAX",
        )
        group.add_argument(
            "--cancel-share",
            type=share,
            default=0.2,
            help="share of its bookings a buyer cancels at once (journey and onsale profiles)",
        )
        group.add_argument(
            "--contention",
            type=share,
            default=0.0,
            help="share of a buyer's clicks aimed at any seat of the map instead of its own "
            "(0: no two buyers want the same seat)",
        )

    async def click(self, clicker, share, stop):
        """Journeys on `share` (no other buyer's seats, unless --contention sends a click
        anywhere; a cancelled booking's seats go back to its end) until it is used up. A
        journey's time runs from its first click to the confirmed booking's answer."""
        options, own = self.options, deque(share)

        def next_seat() -> int | None:
            if options.contention and random.random() < options.contention:
                return random.choice(self.seat_ids)
            return own.popleft() if own else None

        async for _ in self.paced(stop):
            wanted = random.randint(*options.journey_seats)
            await clicker.make_room(wanted)
            started = time.perf_counter()
            got = await hold_by_clicks(clicker, wanted, next_seat)
            if got and await book(clicker, got, started, options.cancel_share) != "kept":
                own.extend(got)  # refused (given back) or cancelled: on sale again
            if not own:
                return

    def judge(self, clickers, verdict):
        journey_verdict(clickers, verdict)
