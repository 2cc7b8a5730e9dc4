"""The book profile's verdict, pure: a booking the server answered 201 and then did not keep
fails the run, as the journey's does."""

import asyncio

import orjson

from loadtest.commands import parse
from loadtest.profiles import REGISTRY
from loadtest.verdict import Verdict


class Buyer:
    """A clicker whose calls the server answers ok, and whose account then lists no booking."""

    index, user = 0, {"username": "load0"}

    def __init__(self):
        self.held, self.booked, self.cancelled, self.reservations = [], {}, set(), []

    async def make_room(self, room=1):
        pass

    async def call(self, op, path, body, headers=None):
        if op == "reserve":
            return 201, "ok", orjson.dumps({"reservation": {"id": 41, "seats": []}})
        return 200, "ok", b"{}"


async def test_a_booking_answered_and_not_kept_fails_the_book_profile():
    options = parse("run", ["--event", "1", "--profile", "book", "--book-size", "2"])
    profile, buyer, verdict = REGISTRY["book"](options, [1, 2]), Buyer(), Verdict()
    await profile.click(buyer, [1, 2], asyncio.Event())
    profile.judge([buyer], verdict)
    assert not verdict.passed, "booking 41 was answered 201 and is not on the server"
    assert "41 of load0: not listed" in verdict.failures[0]
