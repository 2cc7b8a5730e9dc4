"""The hoard profile: accounts that try to take more than one buyer may (API.md "Rules").

- a keeper (even-numbered clickers) tries to keep one seat for good: more time while the
  server gives it, then let go and take it again at once. The server continues the old hold
  instead: each hold granted ends within `hold_cap` (the server's SEAT_HOLD_MAX_SECONDS) of
  when the run began (else `held_past_cap`), and the re-lock past it is refused
  (`hoarding_refused`) until its cooldown is over;
- a booker (odd-numbered) tries to book the house: it holds seats of its share one click at a
  time until the server refuses one, books what it holds, and again. The server counts its
  bookings with its holds against the event's purchase limit (`purchase_limit_refused` counts
  the refusals), and a hold taken after a booking goes on with the run the booking's holds
  began, so its holds are checked against `hold_cap` as the keeper's.

The verdict (verdict.py) reads every account's seats back through the API and counts the
seats it holds and has booked past the event's `purchase_limit`: there must be none.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from .clickers import Clicker

# The refusals that tell a booker it may take no more now: book what it holds.
LIMITS = frozenset({"purchase_limit", "hold_limit", "hold_cap_reached"})


@dataclass
class HoardSpell:
    """A hoarder's run of holds: since when (wall clock) it has held seats of the event."""

    held_from: float | None = None
    refused: bool = False  # the last lock was refused at the cap: the next one starts afresh

    def granted(self, c: Clicker, answer: bytes, hold_cap: float) -> None:
        """A lock granted: the run goes on (or begins), and the hold must end within it."""
        if self.held_from is None or self.refused:
            self.held_from, self.refused = time.time(), False
        until = orjson.loads(answer)["seat"]["locked_until"]
        ends = datetime.fromisoformat(until.replace("Z", "+00:00")).timestamp()
        if ends > self.held_from + hold_cap + HOLD_END_MARGIN:
            c.rec.journey_notes["held_past_cap"] += 1

    def capped(self, c: Clicker) -> None:
        c.rec.journey_notes["hoarding_refused"] += 1
        self.refused = True


# Holds start in whole seconds and the client's clock reads after the server's: a margin.
HOLD_END_MARGIN = 1.0


async def hoard(c: Clicker, seat: int, spell: HoardSpell, hold_cap: float) -> None:
    """One action of a keeper: extend its seat, or at the cap let go and take it again."""
    if seat in c.held:
        _, code, answer = await c.call("extend", f"seats/{seat}/extend/", {})
        if code == "ok":
            spell.granted(c, answer, hold_cap)
            return
        if code != "hold_cap_reached":  # lapsed meanwhile: take it again below
            c.held.remove(seat)
        else:
            await c.unlock(seat)
    _, code, answer = await c.call("lock", f"seats/{seat}/lock/", {})
    if code == "ok":
        if seat not in c.held:
            c.held.append(seat)
        spell.granted(c, answer, hold_cap)
    elif code == "hold_cap_reached":
        spell.capped(c)


async def hoard_by_booking(c: Clicker, own: deque, spell: HoardSpell, hold_cap: float) -> bool:
    """One round of a booker: hold seats of `own` one click at a time until the server says
    it may take no more (a seat someone else has is passed over), then book what it holds.
    False once its share is used up."""
    while own:
        _, code, answer = await c.call("lock", f"seats/{own[0]}/lock/", {})
        if code == "ok":
            c.held.append(own.popleft())
            spell.granted(c, answer, hold_cap)
        elif code in LIMITS:
            if code == "purchase_limit":
                c.rec.journey_notes["purchase_limit_refused"] += 1
            elif code == "hold_cap_reached":
                spell.capped(c)
            break
        else:  # someone else's, or the server's trouble: the next seat
            own.popleft()
    if c.held:
        held = list(c.held)
        _, code, answer = await c.call(
            "reserve", "reserve/", {"seat_ids": held}, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        if code == "ok":
            c.booked[orjson.loads(answer)["reservation"]["id"]] = held
            c.held.clear()
        else:
            c.rec.journey_notes[f"reserve_refused:{code}"] += 1
            for seat in held:
                await c.unlock(seat)
    return bool(own)
