"""Bookings of several seats at once: lock them in one request, then reserve them."""

import uuid

import orjson

from ..verdict import journey_verdict
from . import Profile, register


@register
class Book(Profile):
    """each clicker locks --book-size seats of its own share in one request, then reserves
    them, and again with the next ones; the verdict wants every booking as it was answered."""

    name = "book"

    @staticmethod
    def arguments(group):
        group.add_argument("--book-size", type=int, default=4, help="seats per booking")

    async def click(self, clicker, share, stop):
        size = max(1, self.options.book_size)
        bookings = (share[i : i + size] for i in range(0, len(share) - size + 1, size))
        async for _ in self.paced(stop):
            wanted = next(bookings, None)
            if wanted is None:
                return
            await clicker.make_room(size)
            _, code, _ = await clicker.call("lock_many", "lock/", {"seat_ids": wanted})
            if code != "ok":
                continue
            clicker.held.extend(wanted)
            key = {"Idempotency-Key": uuid.uuid4().hex}
            _, code, answer = await clicker.call("reserve", "reserve/", {"seat_ids": wanted}, key)
            if code == "ok":
                clicker.booked[orjson.loads(answer)["reservation"]["id"]] = wanted
                for seat in wanted:
                    clicker.held.remove(seat)

    def judge(self, clickers, verdict):
        journey_verdict(clickers, verdict)
