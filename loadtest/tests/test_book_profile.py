"""The book and hoard profiles' verdicts, pure: a booking the server answered 201 and then did
not keep fails the run, as the journey's does."""

import asyncio
from collections import deque
from datetime import UTC, datetime

import orjson

from loadtest.commands import parse
from loadtest.profiles import REGISTRY
from loadtest.profiles.hoard import Spell
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


class Hoarder(Buyer):
    """The same, whose holds are answered with their end, as the hoarders read them."""

    async def call(self, op, path, body, headers=None):
        if op == "lock":
            until = datetime.now(UTC).isoformat()
            return 200, "ok", orjson.dumps({"seat": {"locked_until": until}})
        return await super().call(op, path, body, headers)


async def test_a_booking_answered_and_not_kept_fails_the_book_profile():
    options = parse("run", ["--event", "1", "--profile", "book", "--book-size", "2"])
    profile, buyer, verdict = REGISTRY["book"](options, [1, 2]), Buyer(), Verdict()
    await profile.click(buyer, [1, 2], asyncio.Event())
    profile.judge([buyer], verdict)
    assert not verdict.passed, "booking 41 was answered 201 and is not on the server"
    assert "41 of load0: not listed" in verdict.failures[0]


async def test_a_booking_answered_and_not_kept_fails_the_hoard_profile():
    options = parse("run", ["--event", "1", "--profile", "hoard"])
    profile, buyer, verdict = REGISTRY["hoard"](options, [1, 2]), Hoarder(), Verdict()
    spell = Spell(profile.notes, options.hold_cap)
    assert not await profile.book_the_house(buyer, deque([1, 2]), spell)
    profile.judge([buyer], verdict)
    assert not verdict.passed, "booking 41 was answered 201 and is not on the server"
    assert "41 of load0: not listed" in verdict.failures[0]
