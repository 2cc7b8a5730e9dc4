"""The hoard profile: accounts that try to take more than one buyer may (API.md "Rules").

- a keeper (even-numbered clickers) tries to keep one seat for good: more time while the
  server gives it, then let go and take it again at once. Each hold granted must end within
  --hold-cap (the server's SEAT_HOLD_MAX_SECONDS) of when its run began (`held_past_cap`
  fails), and the re-lock past it is refused (`hoarding_refused`) until its cooldown is over;
- a booker (odd-numbered) tries to book the house: it holds seats of its share one click at a
  time until refused, books what it holds, and again. Its bookings count with its holds
  against the event's purchase limit (`purchase_limit_refused`), and its holds after a
  booking go on with the run the booking's began: checked against --hold-cap as a keeper's;
- with --pairs, two accounts (clickers 0 and 1, 2 and 3, ...) keep seats for good by passing
  them: one holds the pair's seats to the cap and lets them go, the other asks for them at
  once, and back again. A seat let go (or lapsed) by one and held by the other within
  --hold-cooldown (SEAT_HOLD_COOLDOWN_SECONDS) is passed (`seats_passed` fails); from one
  client address the server refuses such a take (`seat_pass_refused`: `pass_refused`) and
  holds past its cap per address (`address_hold_limit`: `address_limit_refused`).
"""

import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import orjson

from ..api import get_json
from ..verdict import journey_verdict
from . import Profile, register, until

# The refusals the profile expects, as the verdict counts them (hold_cap_reached: Spell.capped).
REFUSALS = {
    "purchase_limit": "purchase_limit_refused",
    "seat_pass_refused": "pass_refused",
    "address_hold_limit": "address_limit_refused",
}
# The refusals that tell a booker it may take no more now: book what it holds.
LIMITS = frozenset({"purchase_limit", "hold_limit", "hold_cap_reached", "address_hold_limit"})
# Holds start in whole seconds and the client's clock reads after the server's: a margin.
HOLD_END_MARGIN = 1.0
PAIR_SEATS = 2
LET_GO_EARLY = 0.5  # a pair's holder lets go this long before its holds end at the cap
# A pair's take refused is asked again RETRY_SECONDS after the answer's `hold_again_at` (the
# server's clock and ours differ), or after it if the answer says none.
SAY_WHEN = frozenset({"hold_cap_reached", "seat_pass_refused"})
RETRY_SECONDS = 0.2


class Move(NamedTuple):
    """A pair's seat held, or let go (released or lapsed), by `account` (a clicker's index)."""

    at: float
    account: int
    seat: int
    what: str  # "held" or "let go"


def passes(moves: list[Move], cooldown: float) -> list[Move]:
    """The takes that passed a seat: held by one account of a pair (clickers 2k and 2k + 1)
    less than `cooldown` seconds after the other let it go. A release is timed when it was
    asked and a take when it was answered, so a pass counted was one on the server's clock."""
    let_go: dict[int, Move] = {}
    passed = []
    for move in sorted(moves):
        last = let_go.get(move.seat)
        if move.what == "let go":
            let_go[move.seat] = move
        elif (
            last
            and last.account != move.account
            and last.account // 2 == move.account // 2
            and move.at - last.at < cooldown
        ):
            passed.append(move)
    return passed


@dataclass
class Spell:
    """A hoarder's run of holds: since when (wall clock) it has held seats of the event."""

    notes: Counter
    cap: float
    held_from: float | None = None
    refused: bool = False  # the last lock was refused at the cap: the next one starts afresh

    def granted(self, seat: dict) -> float:
        """A hold granted (`seat` as answered): the run goes on (or begins), and the hold must
        end within it. When it ends."""
        if self.held_from is None or self.refused:
            self.held_from, self.refused = time.time(), False
        ends = datetime.fromisoformat(seat["locked_until"]).timestamp()
        if ends > self.held_from + self.cap + HOLD_END_MARGIN:
            self.notes["held_past_cap"] += 1
        return ends

    def capped(self) -> None:
        self.notes["hoarding_refused"] += 1
        self.refused = True


@register
class Hoard(Profile):
    """every other clicker keeps one seat for good by extending it and, at the cap, letting
    go and taking it again; the others hold to --hold-limit, book, and again; with --pairs,
    two accounts pass seats between them. The verdict wants no hold past the cap, no account
    owning past the event's purchase_limit and no seat passed, and counts the refusals."""

    name = "hoard"
    limits_expected = True

    def __init__(self, options, seat_ids):
        super().__init__(options, seat_ids)
        self.notes: Counter = Counter()  # held_past_cap and the refusals
        self.purchase_limit: int | None = None  # the event's, read as the run begins
        self.accounts: dict = {}  # clicker index -> clicker: a pair's accounts find each other
        self.moves: list[Move] = []  # --pairs
        self.ends: dict[int, float] = {}  # --pairs: seat -> when its last hold granted ends

    @staticmethod
    def arguments(group):
        group.add_argument(
            "--hold-cap",
            type=float,
            default=600.0,
            help="the server's SEAT_HOLD_MAX_SECONDS: no hoarder's run of holds may end past it",
        )
        group.add_argument(
            "--hold-cooldown",
            type=float,
            default=300.0,
            help="the server's SEAT_HOLD_COOLDOWN_SECONDS: with --pairs, a seat held by one "
            "account of a pair within it of the other letting it go is a seat passed",
        )
        group.add_argument(
            "--pairs",
            action="store_true",
            help=f"clickers in pairs: one holds {PAIR_SEATS} seats to the cap and lets them go, "
            "the other asks for them at once, and back again",
        )

    async def warm(self, clicker):
        self.accounts[clicker.index] = clicker
        if self.options.pairs:  # the two accounts of a pair on one network, as a household's
            clicker.network = f"10.255.{clicker.index // 2 % 256}.1"
        if clicker.index == 0:
            event = await get_json(clicker.client, f"{clicker.base}/api/events/{clicker.event_id}/")
            self.purchase_limit = event["purchase_limit"]

    async def click(self, clicker, share, stop):
        if self.options.pairs:
            partner = self.accounts.get(clicker.index + 1)
            if clicker.index % 2 == 0 and partner and share:
                await self.pass_around(clicker, partner, share[:PAIR_SEATS], stop)
            return
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

    async def pass_around(self, a, b, seats: list[int], stop) -> None:
        """One pair: the holder keeps `seats` to the cap and lets them go, and the other asks
        for them at once (again when the server says it may, if it refuses); then the other
        way round, until `stop`. Each take begins a run (the taker's last ended a cap ago)."""
        holder, taker = a, b
        spell = Spell(self.notes, self.options.hold_cap)
        while await self.take(holder, seats, spell, stop):
            await self.hold_to_cap(holder, seats, spell, stop)
            if stop.is_set():
                return
            for seat in seats:
                asked = time.time()
                let_go = asked if await holder.unlock(seat) else self.ends[seat]  # or lapsed
                self.moves.append(Move(let_go, holder.index, seat, "let go"))
            holder, taker = taker, holder
            spell = Spell(self.notes, self.options.hold_cap)

    async def hold_to_cap(self, c, seats: list[int], spell: Spell, stop) -> None:
        """Extend the seats while the server gives more time; at the cap, keep them until just
        before they end."""
        async for _ in self.paced(stop):
            for seat in seats:
                _, code, answer = await c.call("extend", f"seats/{seat}/extend/", {})
                if code == "hold_cap_reached":
                    ends = min(self.ends[s] for s in seats)
                    await until(stop, ends - LET_GO_EARLY - time.time())
                if code != "ok":
                    return
                self.ends[seat] = spell.granted(orjson.loads(answer)["seat"])

    async def take(self, c, seats: list[int], spell: Spell, stop) -> bool:
        """Ask for `seats` in one request until granted (False if `stop` comes first); after a
        refusal, again when its `hold_again_at` says (if it says)."""
        while not stop.is_set():
            _, code, answer = await c.call("lock_many", "lock/", {"seat_ids": seats})
            if code == "ok":
                at = time.time()
                for seat in orjson.loads(answer)["seats"]:
                    self.ends[seat["id"]] = spell.granted(seat)
                    self.moves.append(Move(at, c.index, seat["id"], "held"))
                c.held.extend(seats)
                return True
            self.refused(code, spell)
            again = orjson.loads(answer).get("hold_again_at") if code in SAY_WHEN else None
            wait = max(0, datetime.fromisoformat(again).timestamp() - time.time()) if again else 0
            await until(stop, wait + RETRY_SECONDS)
        return False

    def judge(self, clickers, verdict):
        notes = self.notes
        verdict.figures["hoarding_refused"] = notes["hoarding_refused"]
        verdict.figures["address_limit_refused"] = notes["address_limit_refused"]
        if notes["held_past_cap"]:
            verdict.fail(f"{notes['held_past_cap']} hold(s) granted past --hold-cap of their run")
        self.purchase_verdict(clickers, verdict)
        journey_verdict(clickers, verdict)
        if not self.options.pairs:
            return
        passed = passes(self.moves, self.options.hold_cooldown)
        verdict.figures.update(seats_passed=len(passed), pass_refused=notes["pass_refused"])
        if passed:
            verdict.fail(
                f"{len(passed)} seat(s) passed between the accounts of a pair within "
                f"--hold-cooldown ({self.options.hold_cooldown:g} s) of being let go, e.g. seats "
                f"{sorted({m.seat for m in passed})[:5]}"
            )
        if not any(m.what == "let go" for m in self.moves):
            verdict.fail("no pair let go of its seats: no pass was tried (run past --hold-cap)")

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
        if not self.options.pairs and any(c.index % 2 for c in clickers) and not bookings:
            verdict.fail("no hoarder booked a seat: the purchase limit was not tried")
