"""The hoard profile: accounts that try to take more than one buyer may (API.md "Rules").

- a keeper (even-numbered clickers) tries to keep one seat for good: more time while the
  server gives it, then let go and take it again at once. Each hold granted must end within
  --hold-cap (the server's SEAT_HOLD_MAX_SECONDS) of when its run began (`held_past_cap`
  fails), and the re-lock past it is refused (`hoarding_refused`) until its cooldown is over;
- a booker (odd-numbered) tries to book the house: it holds seats of its share one click at a
  time until refused, books what it holds, and again. Its bookings count with its holds
  against the event's purchase limit (`purchase_limit_refused`), and its holds after a
  booking go on with the run the booking's began: checked against --hold-cap as a keeper's.
"""

import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime

import orjson

from ..api import get_json
from . import Profile, register

# The refusals the profile expects, as the verdict counts them (and hold_cap_reached on a lock).
REFUSALS = {"purchase_limit": "purchase_limit_refused"}
# The refusals that tell a booker it may take no more now: book what it holds.
LIMITS = frozenset({"purchase_limit", "hold_limit", "hold_cap_reached"})
# Holds start in whole seconds and the client's clock reads after the server's: a margin.
HOLD_END_MARGIN = 1.0


def timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@dataclass
class Spell:
    """A hoarder's run of holds: since when (wall clock) it has held seats of the event."""

    notes: Counter
    cap: float
    held_from: float | None = None
    refused: bool = False  # the last lock was refused at the cap: the next one starts afresh

    def granted(self, seat: dict) -> None:
        """A hold granted (`seat` as answered): the run goes on (or begins), and the hold must
        end within it."""
        if self.held_from is None or self.refused:
            self.held_from, self.refused = time.time(), False
        ends = timestamp(seat["locked_until"])
        if ends > self.held_from + self.cap + HOLD_END_MARGIN:
            self.notes["held_past_cap"] += 1

    def capped(self) -> None:
        self.notes["hoarding_refused"] += 1
        self.refused = True


@register
class Hoard(Profile):
    """every other clicker keeps one seat for good by extending it and, at the cap, letting
    go and taking it again; the others hold to --hold-limit, book, and again. The verdict
    wants no hold past the cap nor account owning past the event's purchase_limit, and
    counts the refusals."""

    name = "hoard"

    def __init__(self, options, seat_ids):
        super().__init__(options, seat_ids)
        self.notes: Counter = Counter()  # held_past_cap and the refusals
        self.purchase_limit: int | None = None  # the event's, read as the run begins

    @staticmethod
    def arguments(group):
        group.add_argument(
            "--hold-cap",
            type=float,
            default=600.0,
            help="the server's SEAT_HOLD_MAX_SECONDS: no hoarder's run of holds may end past it",
        )

    async def warm(self, clicker):
        if clicker.index == 0:
            event = await get_json(clicker.client, f"{clicker.base}/api/events/{clicker.event_id}/")
            self.purchase_limit = event["purchase_limit"]

    async def click(self, clicker, share, stop):
        if not share:
            return
        spell = Spell(self.notes, self.options.hold_cap)
        if clicker.index % 2:
            own = deque(share)
            async for _ in self.paced(stop):
                if not await self.book_the_house(clicker, own, spell):
                    return
            return
        async for _ in self.paced(stop):
            await self.keep(clicker, share[0], spell)

    def refused(self, code: str, spell: Spell) -> None:
        if code == "hold_cap_reached":
            spell.capped()
        elif code in REFUSALS:
            self.notes[REFUSALS[code]] += 1

    async def keep(self, c, seat: int, spell: Spell) -> None:
        """One action of a keeper: extend its seat, or at the cap let go and take it again."""
        if seat in c.held:
            _, code, answer = await c.call("extend", f"seats/{seat}/extend/", {})
            if code == "ok":
                spell.granted(orjson.loads(answer)["seat"])
                return
            if code != "hold_cap_reached":  # lapsed meanwhile: take it again below
                c.held.remove(seat)
            else:
                await c.unlock(seat)
        _, code, answer = await c.call("lock", f"seats/{seat}/lock/", {})
        if code == "ok":
            if seat not in c.held:
                c.held.append(seat)
            spell.granted(orjson.loads(answer)["seat"])
        else:
            self.refused(code, spell)

    async def book_the_house(self, c, own: deque, spell: Spell) -> bool:
        """One round of a booker: hold seats of `own` one click at a time until the server
        says it may take no more (a seat someone else has is passed over), then book what it
        holds. False once its share is used up."""
        while own:
            _, code, answer = await c.call("lock", f"seats/{own[0]}/lock/", {})
            if code == "ok":
                c.held.append(own.popleft())
                spell.granted(orjson.loads(answer)["seat"])
            elif code in LIMITS:
                self.refused(code, spell)
                break
            else:  # someone else's, or the server's trouble: the next seat
                own.popleft()
        if c.held:
            held = list(c.held)
            key = {"Idempotency-Key": uuid.uuid4().hex}
            _, code, answer = await c.call("reserve", "reserve/", {"seat_ids": held}, key)
            if code == "ok":
                c.booked[orjson.loads(answer)["reservation"]["id"]] = held
                c.held.clear()
            else:
                self.notes[f"reserve_refused:{code}"] += 1
                for seat in held:
                    await c.unlock(seat)
        return bool(own)

    def judge(self, clickers, verdict):
        notes = self.notes
        verdict.figures["hoarding_refused"] = notes["hoarding_refused"]
        if notes["held_past_cap"]:
            verdict.fail(f"{notes['held_past_cap']} hold(s) granted past --hold-cap of their run")
        self.purchase_verdict(clickers, verdict)

    def purchase_verdict(self, clickers, verdict) -> None:
        """No account holds and has booked more seats of the event than its `purchase_limit`
        (the event detail's); and the bookers booked at all, or nothing was tested."""
        limit = self.purchase_limit
        if limit is None:
            verdict.note("purchase limit not checked: the event detail was not read")
            return
        owned = [c.owned for c in clickers]
        past = sum(max(0, n - limit) for n in owned)
        bookings = sum(len(c.booked) for c in clickers)
        verdict.figures.update(
            purchase_limit=limit,
            seats_past_limit=past,
            accounts_at_limit=sum(1 for n in owned if n >= limit),
            hoard_bookings=bookings,
            purchase_limit_refused=self.notes["purchase_limit_refused"],
        )
        if past:
            verdict.fail(f"{past} seat(s) held and booked past the purchase limit of {limit}")
        if any(c.index % 2 for c in clickers) and not bookings:
            verdict.fail("no hoarder booked a seat: the purchase limit was not tried")
