"""Buyers of an event paid at the venue (API.md "Paying"): they order, and pay, abandon, or pay
late."""

import asyncio
import random
import time
import uuid
from collections import Counter, deque
from datetime import datetime

import orjson

from ..clickers import hold_by_clicks
from ..commands import UsageError, share
from ..verdict import Verdict
from . import Profile, register

# How an order of the run ends, as its buyer chose; and the states the server may show it in
# once the run is over (a late payment wins if it lands before the sweeper ends the order).
ENDS = {
    "paid": {"confirmed"},
    "late": {"confirmed", "expired"},
    "abandoned": {"awaiting_payment", "expired"},
}


@register
class Pay(Profile):
    """on an event paid at the venue: a buyer holds --journey-seats seats one click at a time and
    reserves them, an order awaiting payment; the box office (--box-office-token) settles
    --pay-share of the orders at once and --late-share once their window has ended (its
    payment is then given back, unless it lands before the sweeper), and the rest are abandoned
    (their seats go back on sale at the window's end); and again on other seats."""

    name = "pay"
    settle = 3.0

    @staticmethod
    def arguments(group):
        group.add_argument("--box-office-token", help="a box-office member's access token")
        group.add_argument("--pay-share", type=share, default=0.6, help="orders paid at once")
        group.add_argument(
            "--late-share", type=share, default=0.2, help="orders paid after their window"
        )

    @staticmethod
    def prepare(options):
        if not options.box_office_token:
            raise UsageError("the pay profile needs --box-office-token (a box-office member's)")

    def __init__(self, options, seat_ids):
        super().__init__(options, seat_ids)
        self.orders: dict[int, str] = {}  # order id -> how its buyer ends it

    async def click(self, clicker, share, stop):
        own, late = deque(share), []
        async for _ in self.paced(stop):
            wanted = random.randint(*self.options.journey_seats)
            got = await hold_by_clicks(clicker, wanted, lambda: own.popleft() if own else None)
            order = got and await self._order(clicker, got)
            if order:
                end = self._end()
                self.orders[order["id"]] = end
                if end == "paid":
                    await self._settle(clicker, order)
                elif end == "late":
                    late.append(order)
            if not own:
                break
        for order in late:  # after the window: paid late
            pay_by = datetime.fromisoformat(order["pay_by"]).timestamp()
            await asyncio.sleep(max(0.0, pay_by + 0.5 - time.time()))
            await self._settle(clicker, order)

    def _end(self) -> str:
        draw, options = random.random(), self.options
        if draw < options.pay_share:
            return "paid"
        return "late" if draw < options.pay_share + options.late_share else "abandoned"

    async def _order(self, clicker, seats: list[int]) -> dict | None:
        _, code, answer = await clicker.call(
            "reserve",
            "reserve/",
            {"seat_ids": seats},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if code != "ok":
            clicker.rec.journey_notes[f"reserve_refused:{code}"] += 1
            return None
        order = orjson.loads(answer)["reservation"]
        clicker.booked[order["id"]] = seats
        clicker.held[:] = [seat for seat in clicker.held if seat not in seats]
        return order

    async def _settle(self, clicker, order: dict) -> None:
        _, code, _ = await clicker.call(
            "settle",
            f"/api/staff/reservations/{order['id']}/paid/",
            {"amount": order["total_price"]},
            headers={"Authorization": f"Bearer {self.options.box_office_token}"},
        )
        if code != "ok":
            clicker.rec.journey_notes[f"settle_refused:{code}"] += 1

    def figures(self, clickers):
        return {"orders": dict(Counter(self.orders.values()))}

    def judge(self, clickers, verdict: Verdict):
        """Each order in a state its buyer's choice allows: a paid one sold, a late one sold or
        expired (never both: the inventory check counts its money), an abandoned one waiting
        or expired."""
        shown = {r["id"]: r["status"] for c in clickers for r in c.reservations}
        wrong = [
            f"{order} ({end}): {shown.get(order)}"
            for order, end in self.orders.items()
            if shown.get(order) not in ENDS[end]
        ]
        verdict.figures["orders_ended"] = dict(Counter(shown.get(o) for o in self.orders))
        if not self.orders:
            verdict.fail("no order was made")
        if wrong:
            verdict.fail(f"{len(wrong)} order(s) not as their buyers ended them, e.g. {wrong[:3]}")
