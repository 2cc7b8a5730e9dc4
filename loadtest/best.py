"""The `best` profile: buyers asking for the best N seats at once (docs/BEST_AVAILABLE.md).

    python -m loadtest best --url http://127.0.0.1:8000 --event 2 --users users.json \\
        --buyers 200 --sizes 1-6

Every buyer (a user of `create_load_users`) sends one `POST /api/events/{id}/best/` and all are
released together, for `--rounds` rounds (a buyer keeps what it got: the room fills up). It
reports holds a second, answer times (p50/p95/p99), how often a block was side by side, and,
from the seat list afterwards, the seats left alone in their rows (orphans). The verdict fails
on a seat held for two buyers, an answer other than 200, 409 `no_block`, 409 `hold_limit` or 409
`purchase_limit` (a buyer keeps what it got, so a later round may ask past a limit), or a held
seat the server does not show as held, or a disagreement of the server's own inventory check
(loadtest.verdict `inventory_verdict`). With `--hold-one` each buyer locks one free seat of its own
instead, the one-seat hold best available is compared with in the same harness.
"""

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import time
from collections import Counter
from pathlib import Path

import aiohttp
import orjson

from .api import fetch_seats, get_json, http_session
from .commands import seat_range
from .stats import quantiles
from .verdict import Verdict, inventory_verdict

# The refusals of a buyer who asked past what one buyer may hold (API.md "Rules").
LIMITS = ("hold_limit", "purchase_limit")

# How long a change answered by one server may take to reach another's seat list (its frame
# through Redis, and a coalescing window: docs/API.md), with a margin.
SEAT_LIST_LAG_SECONDS = 0.5


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--url", required=True, help="the server; several, comma-separated: buyers take turns"
    )
    p.add_argument("--event", type=int, required=True, help="an event with seats free")
    p.add_argument("--users", required=True, help="JSON of create_load_users")
    p.add_argument("--buyers", type=int, default=200, help="buyers asking at once, a user each")
    p.add_argument(
        "--sizes", type=seat_range, default="4", help="seats per request: N, or a range A-B"
    )
    p.add_argument("--rounds", type=int, default=1, help="times they all ask again")
    p.add_argument("--seed", type=int, default=1, help="random seed")
    p.add_argument("--output", help="write the result as JSON here")
    p.add_argument(
        "--metrics-token",
        default=os.environ.get("METRICS_TOKEN") or None,
        help="the server's METRICS_TOKEN, for the inventory check (loadtest.verdict)",
    )
    p.add_argument(
        "--hold-one",
        action="store_true",
        help="each buyer locks one free seat of its own instead (POST .../seats/{id}/lock/): "
        "the one-seat hold that best available is compared with, in the same harness",
    )


def prepare(options: argparse.Namespace) -> None:
    options.urls = options.url.split(",")
    options.url = options.urls[0]


async def _hold(client, url: str, token: str, count: int, body: dict | None = None) -> dict:
    """One buyer's POST (best available, or a one-seat lock), timed, and what it held."""
    started = time.perf_counter()
    async with client.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as answer:
        held = orjson.loads(await answer.read())
        seats = held.get("seats") or ([held["seat"]] if "seat" in held else [])
        return {
            "status": answer.status,
            "ms": (time.perf_counter() - started) * 1000,
            "code": held.get("code"),
            "seats": [seat["id"] for seat in seats],
            "together": held.get("together", True),
            "count": count,
        }


# docs/BEST_AVAILABLE.md "Rows": two seats consecutive along a row are side by side when their
# gap is under this many times the row's median spacing; a wider gap is an aisle.
AISLE_GAP = 1.6


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


async def run(options: argparse.Namespace) -> dict:
    users = json.loads(await asyncio.to_thread(Path(options.users).read_text))[: options.buyers]
    if len(users) < options.buyers:
        raise SystemExit(f"{options.users} has {len(users)} users; --buyers {options.buyers}")
    rng = random.Random(options.seed)
    answers: list[dict] = []
    async with http_session(connections=len(users)) as client:
        seats_now = await fetch_seats(client, options.url, options.event)
        free = [s["id"] for s in seats_now if s["status"] == "available"]
        started = time.perf_counter()
        for _ in range(options.rounds):
            base = [options.urls[n % len(options.urls)] for n in range(len(users))]
            if options.hold_one:  # each locks one free seat of its own
                seats = rng.sample(free, len(users))
                chosen = set(seats)
                free = [seat for seat in free if seat not in chosen]
                asks = (
                    _hold(
                        client,
                        f"{url}/api/events/{options.event}/seats/{seat}/lock/",
                        u["access"],
                        1,
                    )
                    for url, u, seat in zip(base, users, seats, strict=True)
                )
            else:
                sizes = [rng.randint(*options.sizes) for _ in users]
                asks = (
                    _hold(
                        client,
                        f"{url}/api/events/{options.event}/best/",
                        u["access"],
                        size,
                        {"count": size},
                    )
                    for url, u, size in zip(base, users, sizes, strict=True)
                )
            answers += await asyncio.gather(*asks)
        wall = time.perf_counter() - started
        await asyncio.sleep(SEAT_LIST_LAG_SECONDS)  # every server's list has the rush
        seats = await fetch_seats(client, options.url, options.event)
        places = await plan_places(client, options.url, options.event)
        inventory = Verdict()
        await inventory_verdict(
            client, options.url, options.event, inventory, token=options.metrics_token
        )

    held = [a for a in answers if a["status"] == 200]
    taken = Counter(seat for a in held for seat in a["seats"])
    shown = {s["id"]: s["status"] for s in seats}
    failures = list(inventory.failures)
    if twice := [seat for seat, n in taken.items() if n > 1]:
        failures.append(f"{len(twice)} seats held for two buyers")
    if odd := Counter(
        (a["status"], a["code"])
        for a in answers
        if a["status"] != 200 and a["code"] not in ("no_block", *LIMITS)
    ):
        failures.append(f"answers other than a block, no_block or a limit: {dict(odd)}")
    if not_shown := [seat for seat in taken if shown.get(seat) != "locked"]:
        failures.append(f"{len(not_shown)} seats answered as held are not held on the server")
    if wrong := [a for a in held if len(a["seats"]) != a["count"]]:
        failures.append(f"{len(wrong)} answers held another number of seats than asked")
    return {
        "profile": "hold-one" if options.hold_one else "best",
        "buyers": len(users),
        "rounds": options.rounds,
        "requests": len(answers),
        "held": len(held),
        "no_block": sum(1 for a in answers if a["code"] == "no_block"),
        # A buyer keeps what it got, so a later round may ask past SEAT_HOLD_LIMIT or the
        # event's purchase limit (told first when both are passed).
        "hold_limit": sum(1 for a in answers if a["code"] in LIMITS),
        "holds_per_second": round(len(held) / wall, 1),
        "answer_ms": quantiles([a["ms"] for a in answers]),
        "together_share": round(sum(1 for a in held if a["together"]) / max(1, len(held)), 3),
        "seats_left": sum(1 for s in seats if s["status"] == "available"),
        "orphans_left": orphans_left(seats, places),
        "verdict": "FAIL" if failures else "PASS",
        "failures": failures,
        "notes": inventory.notes,  # what could not be checked
    }


def main(options: argparse.Namespace) -> int:
    result = asyncio.run(run(options))
    text = json.dumps(result, indent=2)
    print(text)
    if options.output:
        Path(options.output).write_text(text)
    return 0 if result["verdict"] == "PASS" else 1
