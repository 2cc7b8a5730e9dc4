"""What both example rooms are drawn with: row letters, rounding, a seat facing a point, a
seat and a rectangle as the layout format writes them."""

import math

# Row names as theatres letter them: no I or O, which read as 1 and 0.
ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def rounded(value: float) -> float | int:
    """One decimal, and a whole number without its ".0": short, and the same on every run."""
    rounded = round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return int(rounded) if rounded.is_integer() else rounded


def facing(x: float, y: float, *, towards: tuple[float, float]) -> float:
    """Degrees clockwise from facing up the plan to facing `towards` (API.md's rotation)."""
    return math.degrees(math.atan2(towards[0] - x, y - towards[1]))


def seat_at(number: int, x: float, y: float, rotation: float) -> dict:
    return {"number": number, "x": rounded(x), "y": rounded(y), "rotation": rounded(rotation)}


def rect(x: float, y: float, width: float, height: float, *, label: str, role: str) -> dict:
    """A labelled rectangle of the plan (API.md's shapes)."""
    return {
        "kind": "rect",
        "x": rounded(x),
        "y": rounded(y),
        "width": rounded(width),
        "height": rounded(height),
        "label": label,
        "role": role,
    }
