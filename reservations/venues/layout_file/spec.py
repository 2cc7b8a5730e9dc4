"""What a layout file describes, once read: a room of categories, seats and a drawing."""

from dataclasses import dataclass
from decimal import Decimal

LAYOUT_FORMAT = "seatmap-layout/1"
SEAT_FLAGS = ("accessible", "companion", "restricted_view", "aisle")


@dataclass(frozen=True, slots=True)
class CategorySpec:
    """A price level: `price` has two places and is never negative, `colour` is "#rrggbb" in
    lower case (so two spellings of one colour compare equal)."""

    name: str
    price: Decimal
    colour: str


@dataclass(frozen=True, slots=True)
class SeatSpec:
    """One seat with everything resolved: its label (given, or made from the section's prefix,
    the row and the number) and its category (seat, row, assignment or section, see
    docs/LAYOUT.md). `x`, `y` are plan units from the top left, `rotation` degrees clockwise."""

    section: str
    row: str
    number: int
    label: str
    x: float
    y: float
    rotation: float
    category: str
    accessible: bool
    companion: bool
    restricted_view: bool
    aisle: bool


@dataclass(frozen=True, slots=True)
class LayoutSpec:
    """A room. `seats` are in layout order (sections, then rows, then seats, each in file
    order): the database creates seat rows in this order, so their ids are layout order.
    `shapes` are the drawing's rects and texts, as the client reads them (API.md)."""

    name: str
    width: float
    height: float
    categories: tuple[CategorySpec, ...]
    sections: tuple[str, ...]
    seats: tuple[SeatSpec, ...]
    shapes: tuple[dict, ...]


def default_label(*, prefix: str, row: str, number: int) -> str:
    """ "Stalls A12": a dash comes between row and number when the row name ends in a digit
    ("Block 3 12-5"), so row 1 seat 15 and row 11 seat 5 do not both read "115"."""
    between = "-" if row[-1:].isdigit() else ""
    return f"{prefix} {row}{between}{number}" if prefix else f"{row}{between}{number}"
