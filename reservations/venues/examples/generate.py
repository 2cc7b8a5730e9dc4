"""Writes the example layouts: `python -m reservations.venues.examples.generate`.

A room of curved rows is geometry, not typing, so the examples are made here rather than by
hand. Nothing is random and every number is rounded to one decimal, so a run writes the same
bytes each time, and a test (tests/test_examples.py) checks that the committed files are what
this writes.

* theatre.json, about 2,000 seats: curved stalls split by a centre aisle, a dress circle and an
  upper circle split by two aisles, four boxes; wheelchair spaces with a companion seat beside
  each, restricted-view seats at the sides, three price categories painted at every level the
  format has (section, assignment, row, seat). Written one seat to a line, to be read.
* arena.json, about 20,000 seats: a lower and an upper bowl of sections around a floor with a
  stage at one end, three categories. Written compact (no spaces, no indentation): it is
  there to be loaded, as big rooms are.
"""

import json
import math
from pathlib import Path

from ..layout_file import LAYOUT_FORMAT, parse_layout

HERE = Path(__file__).resolve().parent
# Row names as theatres letter them: no I or O, which read as 1 and 0.
ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _r(value: float) -> float | int:
    """One decimal, and a whole number without its ".0": short, and the same on every run."""
    rounded = round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return int(rounded) if rounded.is_integer() else rounded


def _facing(x: float, y: float, *, towards: tuple[float, float]) -> float:
    """Degrees clockwise from facing up the plan to facing `towards` (API.md's rotation)."""
    return math.degrees(math.atan2(towards[0] - x, y - towards[1]))


# The theatre.

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
            seat = {"number": i + 1, "x": _r(x), "y": _r(y), "rotation": _r(rotation)}
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
        shapes.append(
            {
                "kind": "rect",
                "x": _r(left),
                "y": _r(top),
                "width": _r(width),
                "height": _r(height),
                "label": f"Box {letter}",
                "role": "section",
            }
        )
        seats = []
        for number, (dx, dy) in enumerate([(30, 45), (80, 45), (30, 78), (80, 78)], start=1):
            x, y = left + dx, top + dy
            seats.append(
                {
                    "number": number,
                    "x": _r(x),
                    "y": _r(y),
                    "rotation": _r(_facing(x, y, towards=(750.0, 85.0))),
                }
            )
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
            {
                "kind": "rect",
                "x": 500,
                "y": 30,
                "width": 500,
                "height": 100,
                "label": "Stage",
                "role": "stage",
            },
            {
                "kind": "rect",
                "x": 560,
                "y": 140,
                "width": 380,
                "height": 50,
                "label": "Orchestra pit",
                "role": "other",
            },
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

ARENA_WIDTH = 3200
ARENA_HEIGHT = 2800
ARENA_CENTRE = (1600.0, 1400.0)
BOWL_BASE = (700.0, 450.0)  # the half-axes of the ellipse the front row stands just outside
ARENA_SEAT = 12.0
ARENA_ROW = 16.0
SECTION_GAP = 16.0  # the stairs between two sections, along the row
SEATED_FROM = -150.0  # degrees, 0 east; the 60 degrees behind the stage (west) have no seats


def _ellipse_point(theta: float, reach: float) -> tuple[float, float]:
    return (
        ARENA_CENTRE[0] + (BOWL_BASE[0] + reach) * math.cos(theta),
        ARENA_CENTRE[1] + (BOWL_BASE[1] + reach) * math.sin(theta),
    )


def _bowl_row(*, start: float, end: float, reach: float) -> list[tuple[float, float]]:
    """Seats evenly spaced along the ellipse `reach` out from the bowl's base, between the
    angles `start` and `end` (radians), a half gap short of each end."""
    steps = 240
    thetas = [start + (end - start) * i / steps for i in range(steps + 1)]
    points = [_ellipse_point(theta, reach) for theta in thetas]
    lengths = [0.0]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        lengths.append(lengths[-1] + math.hypot(x1 - x0, y1 - y0))
    usable = lengths[-1] - SECTION_GAP
    count = int(usable // ARENA_SEAT)
    first = SECTION_GAP / 2 + (usable - count * ARENA_SEAT) / 2 + ARENA_SEAT / 2
    seats = []
    i = 0
    for k in range(count):
        along = first + k * ARENA_SEAT
        while lengths[i + 1] < along:
            i += 1
        part = (along - lengths[i]) / (lengths[i + 1] - lengths[i])
        seats.append(_ellipse_point(thetas[i] + (thetas[i + 1] - thetas[i]) * part, reach))
    return seats


def _bowl(
    *, first_number: int, sections: int, rows: int, first_reach: float, category: str
) -> tuple[list[dict], list[dict]]:
    """A ring of `sections` sections of `rows` rows (row A nearest the floor), numbered from
    `first_number` clockwise from beside the stage, with their numbers drawn in front."""
    span = (360.0 - 2 * (180.0 + SEATED_FROM)) / sections
    result = []
    texts = []
    for s in range(sections):
        start = math.radians(SEATED_FROM + s * span)
        end = math.radians(SEATED_FROM + (s + 1) * span)
        name = str(first_number + s)
        section_rows = []
        for r in range(rows):
            places = _bowl_row(start=start, end=end, reach=first_reach + r * ARENA_ROW)
            # Numbered left to right as the people sitting there see it, facing the floor.
            places.reverse()
            seats = [
                {
                    "number": n,
                    "x": _r(x),
                    "y": _r(y),
                    "rotation": _r(_facing(x, y, towards=ARENA_CENTRE)),
                }
                for n, (x, y) in enumerate(places, start=1)
            ]
            section_rows.append({"name": ROW_LETTERS[r], "seats": seats})
        result.append({"name": name, "category": category, "rows": section_rows})
        x, y = _ellipse_point((start + end) / 2, first_reach - 16.0)
        texts.append({"kind": "text", "x": _r(x), "y": _r(y), "text": name, "size": 12})
    return result, texts


def arena_document() -> dict:
    lower, lower_texts = _bowl(
        first_number=101, sections=20, rows=24, first_reach=20.0, category="Silver"
    )
    upper, upper_texts = _bowl(
        first_number=201, sections=25, rows=24, first_reach=480.0, category="Bronze"
    )
    # A wheelchair space at each end of every lower section's back row, the seat inward of it
    # kept for a companion.
    for section in lower:
        seats = section["rows"][-1]["seats"]
        for space, companion in ((seats[0], seats[1]), (seats[-1], seats[-2])):
            space["accessible"] = True
            companion["companion"] = True
    return {
        "format": LAYOUT_FORMAT,
        "name": "Riverside Arena",
        "width": ARENA_WIDTH,
        "height": ARENA_HEIGHT,
        "categories": [
            {"name": "Gold", "price": "95.00", "colour": "#b7950b"},
            {"name": "Silver", "price": "65.00", "colour": "#717d7e"},
            {"name": "Bronze", "price": "40.00", "colour": "#a04000"},
        ],
        "shapes": [
            {
                "kind": "rect",
                "x": 1100,
                "y": 1100,
                "width": 1000,
                "height": 600,
                "label": "Floor (standing)",
                "role": "other",
            },
            {
                "kind": "rect",
                "x": 960,
                "y": 1200,
                "width": 140,
                "height": 400,
                "label": "Stage",
                "role": "stage",
            },
            *lower_texts,
            *upper_texts,
        ],
        "sections": lower + upper,
        # The front eleven rows of the lower bowl, nearest the floor, are Gold.
        "assignments": [
            {"category": "Gold", "section": section["name"], "rows": ["A", "L"]}
            for section in lower
        ],
    }


# The files.


def readable_json(value: object, *, indent: str = "", room: int = 100) -> str:
    """JSON a person can read and diff: an object or array on one line when it holds no other
    (a seat, a shape) or fits in `room`, else one item to a line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or len(indent) + len(flat) <= room:
        return flat
    items = value.values() if isinstance(value, dict) else value
    if not any(isinstance(item, dict | list) for item in items):
        return flat
    inner = indent + "  "
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            lead = f"{json.dumps(key, ensure_ascii=False)}: "
            items.append(inner + lead + readable_json(item, indent=inner, room=room - len(lead)))
    else:
        items = [inner + readable_json(item, indent=inner, room=room) for item in value]
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    return opening + "\n" + ",\n".join(items) + "\n" + indent + closing


def theatre_text() -> str:
    return readable_json(theatre_document()) + "\n"


def arena_text() -> str:
    return json.dumps(arena_document(), separators=(",", ":"), ensure_ascii=False) + "\n"


EXAMPLES = {"theatre.json": theatre_text, "arena.json": arena_text}


def main() -> None:
    for file_name, text_of in EXAMPLES.items():
        text = text_of()
        spec = parse_layout(text)  # never write an example that does not read
        (HERE / file_name).write_text(text, encoding="utf-8")
        print(f"{file_name}: {len(spec.seats):,} seats, {len(text.encode()):,} bytes")


if __name__ == "__main__":
    main()
