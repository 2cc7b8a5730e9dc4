"""arena.json, about 20,000 seats (generate.py writes it)."""

import math

from ..layout_file import LAYOUT_FORMAT
from .drawing import ROW_LETTERS, facing, rect, rounded, seat_at

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
                seat_at(n, x, y, facing(x, y, towards=ARENA_CENTRE))
                for n, (x, y) in enumerate(places, start=1)
            ]
            section_rows.append({"name": ROW_LETTERS[r], "seats": seats})
        result.append({"name": name, "category": category, "rows": section_rows})
        x, y = _ellipse_point((start + end) / 2, first_reach - 16.0)
        texts.append({"kind": "text", "x": rounded(x), "y": rounded(y), "text": name, "size": 12})
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
            rect(1100, 1100, 1000, 600, label="Floor (standing)", role="other"),
            rect(960, 1200, 140, 400, label="Stage", role="stage"),
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
