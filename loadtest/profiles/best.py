"""Best available under contention (`--profile best`, docs/BEST_AVAILABLE.md).

    python -m loadtest run --url http://127.0.0.1:8000 --event 2 --users users.json \\
        --auth bearer --profile best --clickers 200 --sizes 1-6

Every clicker is a buyer: each round, all of them send one `POST /api/events/{id}/best/` at
once (an asyncio barrier among them), for `--rounds` rounds; a buyer keeps what it got, so the
room fills up and a later round may ask past a limit. Its figures (the result's `best`): holds a
second over the rounds, answer times, how often a block was side by side, and, from the seat
list afterwards, the seats left alone in their rows (orphans, `orphans_left`). Its verdict,
beside the run's: only blocks of the size asked, the only refusals 409 `no_block`, `hold_limit`
and `purchase_limit`, no seat answered to two buyers, and every seat answered held shown held.
With `--hold-one` each buyer locks one free seat of its own instead, the one-seat hold that best
available is compared with in the same harness.
"""

import asyncio
import itertools
import math
import random
import statistics
import time
from collections import Counter
from typing import NamedTuple

import aiohttp
import orjson

from ..api import fetch_seats, get_json
from ..clickers import TRANSPORT_ERRORS
from ..commands import seat_range
from . import Profile, register

# The refusals of a buyer who asked past what one buyer may hold (API.md "Rules").
LIMITS = ("hold_limit", "purchase_limit")

# How long a change answered by one server may take to reach another's seat list (its frame
# through Redis, and a coalescing window: docs/API.md), with a margin.
SEAT_LIST_LAG_SECONDS = 0.5

# docs/BEST_AVAILABLE.md "Rows": two seats consecutive along a row are side by side when their
# gap is under this many times the row's median spacing; a wider gap is an aisle.
AISLE_GAP = 1.6


class Answer(NamedTuple):
    status: int | None
    code: str
    seats: list[int]  # the seats it held
    together: bool
    count: int  # the seats asked for


@register
class Best(Profile):
    """each round, every clicker asks at once for the best --sizes seats (POST
    .../best/), --rounds times, keeping what it got; with --hold-one each locks one free seat
    of its own instead. The verdict wants blocks of the size asked or 409 no_block, hold_limit
    or purchase_limit, no seat answered to two buyers, every seat answered held shown held."""

    name = "best"
    limits_expected = True

    def __init__(self, options, seat_ids):
        super().__init__(options, seat_ids)
        self.barrier = asyncio.Barrier(max(1, options.clickers))
        self.go_on: dict[int, bool] = {}  # round -> asked, decided by the first past the barrier
        self.answers: list[Answer] = []
        self.started = self.seconds = 0.0  # the rounds: first ask to last answer
        self.seats: list[dict] | None = None  # the seat list after the rounds
        self.places: dict[int, tuple[float, float]] = {}
        self.unread = "not every buyer finished its rounds"

    @staticmethod
    def arguments(group):
        group.add_argument(
            "--sizes",
            type=seat_range,
            default="4",
            metavar="N|MIN-MAX",
            help="seats a buyer asks for, drawn uniformly from MIN to MAX",
        )
        group.add_argument(
            "--rounds", type=int, default=1, help="times every buyer asks, all at once each time"
        )
        group.add_argument(
            "--hold-one",
            action="store_true",
            help="each buyer locks one free seat of its own instead (POST .../seats/{id}/lock/): "
            "the one-seat hold that best available is compared with, in the same harness",
        )

    async def click(self, clicker, share, stop):
        """Rounds until --rounds (or --duration) is over; the buyer first past the last
        barrier reads the seat list back."""
        for n in itertools.count():
            first = await self.barrier.wait() == 0
            self.started = self.started or time.perf_counter()
            if not self.go_on.setdefault(n, n < self.options.rounds and not stop.is_set()):
                if first:
                    await self.read_back(clicker)
                return
            await self.ask(clicker, share, n)

    async def ask(self, c, share: list[int], n: int) -> None:
        if self.options.hold_one:
            if n >= len(share):
                return
            count, op, path, body = 1, "lock", f"seats/{share[n]}/lock/", {}
        else:
            count = random.randint(*self.options.sizes)
            op, path, body = "best", "best/", {"count": count}
        status, code, answer = await c.call(op, path, body)
        held = orjson.loads(answer) if code == "ok" else {}
        seats = held.get("seats") or ([held["seat"]] if "seat" in held else [])
        ids = [seat["id"] for seat in seats]
        self.answers.append(Answer(status, code, ids, held.get("together", True), count))

    async def read_back(self, c) -> None:
        self.seconds = time.perf_counter() - self.started
        await asyncio.sleep(SEAT_LIST_LAG_SECONDS)  # every server's list has the rush
        base = self.options.url[0]
        try:
            self.seats = await fetch_seats(c.client, base, c.event_id)
            self.places = await plan_places(c.client, base, c.event_id)
        except TRANSPORT_ERRORS as exc:
            self.unread = repr(exc)

    def judge(self, clickers, verdict):
        held = [a for a in self.answers if a.code == "ok"]
        taken = Counter(seat for a in held for seat in a.seats)
        if twice := [seat for seat, n in taken.items() if n > 1]:
            verdict.fail(f"{len(twice)} seats answered as held to two buyers")
        if odd := Counter(
            (a.status, a.code) for a in self.answers if a.code not in ("ok", "no_block", *LIMITS)
        ):
            verdict.fail(f"answers other than a block, no_block or a limit: {dict(odd)}")
        if wrong := [a for a in held if len(a.seats) != a.count]:
            verdict.fail(f"{len(wrong)} answers held another number of seats than asked")
        if self.seats is None:
            verdict.fail(f"the seat list was not read after the rounds: {self.unread}")
            return
        shown = {s["id"]: s["status"] for s in self.seats}
        if not_shown := [seat for seat in taken if shown.get(seat) != "locked"]:
            verdict.fail(f"{len(not_shown)} seats answered as held are not held on the server")

    def summary(self, run):
        answers, seats = self.answers, self.seats
        held = [a for a in answers if a.code == "ok"]
        return {
            "profile": "hold-one" if self.options.hold_one else "best",
            "buyers": len(run.clickers),
            "rounds": self.options.rounds,
            "requests": len(answers),
            "held": len(held),
            "no_block": sum(1 for a in answers if a.code == "no_block"),
            # A buyer keeps what it got, so a later round may ask past SEAT_HOLD_LIMIT or the
            # event's purchase limit (told first when both are passed).
            "hold_limit": sum(1 for a in answers if a.code in LIMITS),
            "holds_per_second": round(len(held) / self.seconds, 1) if self.seconds else None,
            "answer_ms": run.result["clicks"]["latency_ms"],
            "together_share": round(sum(1 for a in held if a.together) / max(1, len(held)), 3),
            "seats_left": sum(1 for s in seats if s["status"] == "available") if seats else None,
            "orphans_left": orphans_left(seats, self.places) if seats else None,
            "server_cpu_ms_per_request": run.result["server"]["cpu_ms_per_request"],
        }


def orphans_left(seats: list[dict], places: dict[int, tuple[float, float]] | None = None) -> int:
    """Free seats with no free seat side by side in their row, by the documented rules
    (docs/BEST_AVAILABLE.md "Rows"), written here apart from the server's own seating code so
    that a bug there shows in the figure. `places`: each seat's (x, y) on the plan (`layout/`);
    without a plan, seats stand side by side by number."""
    places = places or {}
    rows: dict[tuple[str, str], list[tuple[float, float, int, bool]]] = {}
    for seat in seats:
        x, y = places.get(seat["id"], (float(seat["number"]), 0.0))
        rows.setdefault((seat["section"], seat["row"]), []).append(
            (x, y, seat["number"], seat["status"] == "available")
        )
    return sum(_lone_in_row(row) for row in rows.values())


def _lone_in_row(row: list[tuple[float, float, int, bool]]) -> int:
    """The free seats of one row with no free seat side by side."""
    xs, ys = [seat[0] for seat in row], [seat[1] for seat in row]
    along_x = max(xs) - min(xs) >= max(ys) - min(ys)  # the row's main direction
    row.sort(key=lambda s: (s[0], s[1], s[2]) if along_x else (s[1], s[0], s[2]))
    gaps = [math.dist(a[:2], b[:2]) for a, b in zip(row, row[1:], strict=False)]
    spacing = statistics.median(gaps) if gaps else 0.0
    beside = [gap < AISLE_GAP * spacing for gap in gaps]  # beside[i]: seats i and i + 1
    lone = 0
    for i, (*_, free) in enumerate(row):
        left = i > 0 and beside[i - 1] and row[i - 1][3]
        right = i < len(gaps) and beside[i] and row[i + 1][3]
        lone += free and not left and not right
    return lone


async def plan_places(client, base: str, event_id: int) -> dict[int, tuple[float, float]]:
    """Each seat's (x, y) on the event's plan; none for an event sold as a grid (404)."""
    try:
        layout = await get_json(client, f"{base}/api/events/{event_id}/layout/")
    except aiohttp.ClientResponseError as exc:
        if exc.status == 404:
            return {}
        raise
    return {seat["id"]: (seat["x"], seat["y"]) for seat in layout["seats"]}
