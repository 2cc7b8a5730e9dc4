"""How the on-sale's and the waiting room's buyers choose seats (profiles/onsale.py,
queue_buyers.py): best available, or clicks near the stage on their own map."""

from __future__ import annotations

import math
import random
from itertools import islice

import orjson

from .clickers import Clicker
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


async def stage_ranking(client, base: str, event_id: int, seats: list[dict]) -> list[int]:
    """`near_stage` of the event's seats, on its layout (`GET layout/`) if it has one."""
    async with client.get(f"{base}/api/events/{event_id}/layout/") as answer:
        layout = orjson.loads(await answer.read()) if answer.status == 200 else None
    return near_stage(seats, layout)


def near_stage_picker(model: SeatModel, ranking: list[int]):
    """The seat a buyer clicks next: one of the best `SPREAD` seats its own map shows free,
    the best likelier (so everyone's first clicks meet near the stage), never one it tried."""
    tried: set[int] = set()

    def next_seat() -> int | None:
        untried = (seat for seat in ranking if seat not in tried)
        free = list(
            islice((s for s in untried if (model.state(s) or ("",))[0] == "available"), SPREAD)
        )
        if not free:
            return None
        seat = free[int(random.random() ** 2 * len(free))]
        tried.add(seat)
        return seat

    return next_seat


async def hold_best(c: Clicker, count: int) -> list[int]:
    """Best available (`POST /api/events/{id}/best/`): the seats held, or none."""
    _, code, answer = await c.call("best", "best/", {"count": count})
    if code != "ok":
        c.rec.journey_notes[f"best_refused:{code}"] += 1
        return []
    held = [s["id"] for s in orjson.loads(answer)["seats"]]
    c.held.extend(held)
    return held
