"""theatre.json, about 2,000 seats (generate.py writes it)."""

import math

from ..layout_file import LAYOUT_FORMAT
from .drawing import ROW_LETTERS, facing, rect, seat_at

THEATRE_WIDTH = 1500
THEATRE_HEIGHT = 1860
STAGE_FRONT = (750.0, 60.0)  # the centre every curved row of the house is drawn around
THEATRE_SEAT = 23.0  # from one seat's centre to the next along a row
AISLE = 40.0


def _arc_row(
    *, radius: float, half_angle: float, aisles: tuple[float, ...]
) -> list[tuple[float, float, float, bool]]:
    """A row on a circle about STAGE_FRONT, from `-half_angle` to `half_angle` degrees (0 is
    straight down the plan), with an AISLE wide gap at each of `aisles` (degrees): the seats
    left to right as (x, y, rotation, next to an aisle)."""
    reach = math.radians(half_angle) * radius
    cuts = [math.radians(a) * radius for a in aisles]
    blocks = list(
        zip(
            [-reach, *(c + AISLE / 2 for c in cuts)],
            [*(c - AISLE / 2 for c in cuts), reach],
            strict=True,
        )
    )
    seats = []
    for index, (start, end) in enumerate(blocks):
        count = int((end - start) // THEATRE_SEAT)
        first = start + (end - start - count * THEATRE_SEAT) / 2 + THEATRE_SEAT / 2
        for k in range(count):
            angle = (first + k * THEATRE_SEAT) / radius
            x = STAGE_FRONT[0] + radius * math.sin(angle)
            y = STAGE_FRONT[1] + radius * math.cos(angle)
            on_aisle = (k == 0 and index > 0) or (k == count - 1 and index < len(blocks) - 1)
            seats.append((x, y, -math.degrees(angle), on_aisle))
    return seats


def _house_section(
    *,
    name: str,
    prefix: str | None = None,
    category: str,
    first_radius: float,
    rows: int,
    depth: float,
    half_angle: float,
    aisles: tuple[float, ...],
    restricted_at_ends: int,
    restricted_rows: int,
    restricted_category: str | None,
    wheelchair_row: str | None = None,
) -> dict:
    """A section of curved rows. The `restricted_at_ends` outermost seats of its first
    `restricted_rows` rows see the stage only in part; a `wheelchair_row` has a wheelchair
    space at each row end and each aisle, with a companion seat beside it."""
    section_rows = []
    for r in range(rows):
        row_name = ROW_LETTERS[r]
        places = _arc_row(radius=first_radius + r * depth, half_angle=half_angle, aisles=aisles)
        wheelchairs: set[int] = set()
        companions: set[int] = set()
        if row_name == wheelchair_row:
            ends = [0, len(places) - 1]
            ends += [i for i, place in enumerate(places) if place[3]]
            wheelchairs = set(ends)
            companions = {_companion_of(i, places) for i in ends}
        seats = []
        for i, (x, y, rotation, on_aisle) in enumerate(places):
            seat = seat_at(i + 1, x, y, rotation)
            at_end = i < restricted_at_ends or i >= len(places) - restricted_at_ends
            if r < restricted_rows and at_end:
                seat["restricted_view"] = True
                if restricted_category is not None:
                    seat["category"] = restricted_category
            if i in wheelchairs:
                seat["accessible"] = True
            if i in companions:
                seat["companion"] = True
            if on_aisle:
                seat["aisle"] = True
            seats.append(seat)
        section_rows.append({"name": row_name, "seats": seats})
    section: dict = {"name": name}
    if prefix is not None:
        section["prefix"] = prefix
    return {**section, "category": category, "rows": section_rows}


def _companion_of(index: int, places: list) -> int:
    """The seat beside a wheelchair space at a row end or an aisle: the one inward of it."""
    if index == 0:
        return 1
    if index == len(places) - 1:
        return index - 1
    # An aisle seat: its neighbour on the side away from the aisle.
    return index - 1 if places[index + 1][3] else index + 1


BOXES = {"A": (40.0, 170.0), "B": (40.0, 300.0), "C": (1350.0, 170.0), "D": (1350.0, 300.0)}
BOX_SIZE = (110.0, 100.0)


def _boxes() -> tuple[dict, list[dict]]:
    """Four boxes by the stage, two a side, each a row of the section "Boxes" (labels "Box A1",
    ...), with a rect drawn round it."""
    rows = []
    shapes = []
    width, height = BOX_SIZE
    for letter, (left, top) in BOXES.items():
        shapes.append(rect(left, top, width, height, label=f"Box {letter}", role="section"))
        seats = []
        for number, (dx, dy) in enumerate([(30, 45), (80, 45), (30, 78), (80, 78)], start=1):
            x, y = left + dx, top + dy
            seats.append(seat_at(number, x, y, facing(x, y, towards=(750.0, 85.0))))
        rows.append({"name": letter, "seats": seats})
    return {"name": "Boxes", "prefix": "Box", "category": "Premium", "rows": rows}, shapes


def theatre_document() -> dict:
    stalls = _house_section(
        name="Stalls",
        category="Standard",
        first_radius=250.0,
        rows=24,
        depth=32.0,
        half_angle=45.0,
        aisles=(0.0,),
        restricted_at_ends=2,
        restricted_rows=3,
        restricted_category="Economy",
        wheelchair_row="Z",
    )
    dress_circle = _house_section(
        name="Dress Circle",
        prefix="Circle",
        category="Standard",
        first_radius=1120.0,
        rows=10,
        depth=30.0,
        half_angle=28.0,
        aisles=(-12.0, 12.0),
        restricted_at_ends=1,
        restricted_rows=10,
        restricted_category="Economy",
    )
    upper_circle = _house_section(
        name="Upper Circle",
        prefix="Upper",
        category="Economy",
        first_radius=1490.0,
        rows=10,
        depth=30.0,
        half_angle=24.0,
        aisles=(-10.0, 10.0),
        restricted_at_ends=2,
        restricted_rows=10,
        restricted_category=None,
    )
    # Its front row sees best: a row's own category, over its section's.
    upper_circle["rows"][0] = {"name": "A", "category": "Standard", **upper_circle["rows"][0]}
    boxes, box_shapes = _boxes()
    return {
        "format": LAYOUT_FORMAT,
        "name": "The Lyric Theatre",
        "width": THEATRE_WIDTH,
        "height": THEATRE_HEIGHT,
        "categories": [
            {"name": "Premium", "price": "85.00", "colour": "#c0392b"},
            {"name": "Standard", "price": "55.00", "colour": "#2471a3"},
            {"name": "Economy", "price": "30.00", "colour": "#1e8449"},
        ],
        "shapes": [
            rect(500, 30, 500, 100, label="Stage", role="stage"),
            rect(560, 140, 380, 50, label="Orchestra pit", role="other"),
            *box_shapes,
            {"kind": "text", "x": 750, "y": 235, "text": "Stalls", "size": 20},
            {"kind": "text", "x": 750, "y": 1120, "text": "Dress Circle", "size": 20},
            {"kind": "text", "x": 750, "y": 1490, "text": "Upper Circle", "size": 20},
        ],
        "sections": [stalls, boxes, dress_circle, upper_circle],
        # The best of the stalls and the front of the dress circle are Premium; the back of the
        # stalls, under the circle's overhang, is Economy.
        "assignments": [
            {"category": "Premium", "section": "Stalls", "rows": ["C", "M"]},
            {"category": "Economy", "section": "Stalls", "rows": ["W", "Z"]},
            {"category": "Premium", "section": "Dress Circle", "rows": ["A", "D"]},
        ],
    }


# The arena.
