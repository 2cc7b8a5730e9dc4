"""The on-sale's buying (`--profile onsale`, phase 2 of onsale.py): once every map is up, the
buyers hold seats (best available, or clicks near the stage on their own map), book them and
cancel some; and the on-sale's figures in one place."""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass

import orjson

from .clickers import Clicker, book, hold_by_clicks
from .stats import Recorder
from .watchers import SeatModel

# How many of the best free seats on its map a buyer chooses among.
SPREAD = 24


def near_stage(seats: list[dict], layout: dict | None) -> list[int]:
    """The event's seats from the best to the worst, as a buyer looks at the map: nearest the
    stage on the room's plan (the distance from the seat to the stage's shape, then to its
    centre), or, for an event without a layout (a grid), the first rows first, each from its
    middle out."""
    stages = [s for s in (layout or {}).get("shapes", []) if s.get("role") == "stage"]
    if stages:
        stage = stages[0]
        x0, y0 = stage["x"], stage["y"]
        x1, y1 = x0 + stage["width"], y0 + stage["height"]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2

        def distance(p: dict) -> tuple[float, float]:
            dx = max(x0 - p["x"], 0, p["x"] - x1)
            dy = max(y0 - p["y"], 0, p["y"] - y1)
            return (round(math.hypot(dx, dy)), math.hypot(p["x"] - cx, p["y"] - cy))

        return [p["id"] for p in sorted(layout["seats"], key=distance)]
    rows: dict[tuple, list[dict]] = {}
    for seat in seats:
        rows.setdefault((seat["section"], seat["row"]), []).append(seat)
    ranked = []
    for rank, row in enumerate(rows.values()):
        middle = (min(s["number"] for s in row) + max(s["number"] for s in row)) / 2
        ranked += [((rank, abs(s["number"] - middle)), s["id"]) for s in row]
    return [seat_id for _, seat_id in sorted(ranked)]


def near_stage_picker(model: SeatModel, ranking: list[int]):
    """The seat a buyer clicks next: one of the best `SPREAD` seats its own map shows free,
    the best likelier (so everyone's first clicks meet near the stage), never one it tried."""
    tried: set[int] = set()

    def next_seat() -> int | None:
        free = []
        for seat in ranking:
            if seat in tried:
                continue
            state = model.state(seat)
            if state is not None and state[0] == "available":
                free.append(seat)
                if len(free) == SPREAD:
                    break
        if not free:
            return None
        seat = free[int(random.random() ** 2 * len(free))]
        tried.add(seat)
        return seat

    return next_seat


@dataclass(frozen=True)
class BuyerPlan:
    """What each buyer does (`--journey-seats`, `--best-share`, `--cancel-share`)."""

    seats: tuple[int, int] = (1, 4)
    best_share: float = 0.3
    cancel_share: float = 0.1


async def hold_best(c: Clicker, count: int) -> list[int]:
    """Best available (`POST /api/events/{id}/best/`): the seats held, or none."""
    _, code, answer = await c.call("best", "best/", {"count": count})
    if code != "ok":
        c.rec.journey_notes[f"best_refused:{code}"] += 1
        return []
    held = [s["id"] for s in orjson.loads(answer)["seats"]]
    c.held.extend(held)
    return held


async def buyer(
    c: Clicker, model: SeatModel, ranking: list[int], plan: BuyerPlan, start: asyncio.Event
) -> None:
    """One buyer at the on-sale: when it opens, hold seats (best available, or clicks near the
    stage on its own map), book them, perhaps cancel."""
    await start.wait()
    wanted = random.randint(*plan.seats)
    await c.make_room(wanted)
    started = time.perf_counter()
    if random.random() < plan.best_share:
        got = await hold_best(c, wanted)
    else:
        got = await hold_by_clicks(c, wanted, near_stage_picker(model, ranking))
    if got:
        await book(c, got, started, plan.cancel_share)


def onsale_figures(result: dict, rec: Recorder, seconds: float) -> dict:
    """The on-sale in one place: the arrivals' figures and the buying's, from the run's
    result (`arrivals`, `clicks`, `journey`, `push`, `server`, `verdict`); `seconds`: the
    buying's (from the first click until every buyer is done)."""
    arrivals, clicks, push = result["arrivals"], result["clicks"], result["push"]
    journey, server = result.get("journey") or {}, result["server"]
    ops = clicks["by_op"]
    click_503 = sum(1 for r in rec.requests if r[1] == 503)
    return {
        "arrivals": arrivals["arrivals"],
        "maps_usable": arrivals["maps_usable"],
        "time_to_map_ms": arrivals["time_to_map_ms"],
        "wire_bytes_per_arrival": arrivals["wire_bytes_per_arrival"],
        "wire_bytes_first_visit": arrivals["wire_bytes_first_visit"],
        "wire_bytes_return_visit": arrivals["wire_bytes_return_visit"],
        "server_cpu_ms_per_arrival": arrivals["server_cpu_ms_per_arrival"],
        "client_cpu_ms_per_arrival": arrivals.get("client_cpu_ms_per_arrival"),
        "buyers": clicks["clickers"],
        "click_ms": (ops.get("lock") or {}).get("latency_ms"),
        "best_ms": (ops.get("best") or {}).get("latency_ms"),
        "holds_per_s": clicks["holds_per_s"],
        "bookings_per_s": journey.get("bookings_per_s"),
        "bookings": journey.get("bookings"),
        "cancellations": journey.get("cancellations"),
        "answers_503": arrivals["answers_503"] + click_503,
        "push_p99_ms": push["latency_ms"]["p99"],
        "deliveries_per_s": round(push["delivered"] / seconds, 1) if seconds else None,
        "server_cpu_us_per_delivery": server["cpu_us_per_delivery"],
        "verdict": result["verdict"]["passed"],
    }
