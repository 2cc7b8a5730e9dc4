"""The venue layout file (docs/LAYOUT.md): read one into a `LayoutSpec`, write one back out.

A room enters the system only through this file, so everything its seat rows must be before
the database sees them is checked here, in one place and with no database: the column lengths
of models.py, a known category for every seat, labels unique in the room. People write these
files (or their scripts do), so an error names its place in the file as a JSON pointer
("/sections/1/rows/3/seats/7/category") and says what to change. The first error found is
the one raised, and nothing but `LayoutError` ever comes out of `parse_layout`, whatever it is
given: a command or an upload can show the message as it is.

Reading is strict. An unknown key, or a key given twice, is an error rather than ignored: a
misspelt "catgeory" that was skipped would sell a seat at the wrong price.

`layout_document` is the inverse. It writes the file short (a section's and a row's commonest
category once at its level, a label only where the section's prefix would not give it, a flag
only when true), and reading what it writes gives back an equal spec.
"""

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "LAYOUT_FORMAT",
    "CategorySpec",
    "LayoutError",
    "LayoutSpec",
    "SeatSpec",
    "layout_document",
    "parse_layout",
]

LAYOUT_FORMAT = "seatmap-layout/1"

# What the database's columns hold (models.py) and what one seat map can carry.
MAX_SEATS = 100_000
MAX_SHAPES = 10_000
LAYOUT_NAME_MAX = 200
CATEGORY_NAME_MAX = 50
SECTION_NAME_MAX = 50
ROW_NAME_MAX = 10
SEAT_LABEL_MAX = 20
SEAT_NUMBER_MAX = 2_147_483_647  # a PostgreSQL integer
PRICE_DIGITS_MAX = 8  # before the point: DecimalField(max_digits=10, decimal_places=2)
SHAPE_ROLES = ("stage", "section", "other")

_CENT = Decimal("0.01")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_PRICE = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")

_ROOT_REQUIRED = ("format", "name", "width", "height", "categories", "sections")
_ROOT_ALLOWED = frozenset((*_ROOT_REQUIRED, "shapes", "assignments"))
_FLAGS = ("accessible", "companion", "restricted_view", "aisle")
_SEAT_REQUIRED = ("number", "x", "y")
_SEAT_ALLOWED = frozenset((*_SEAT_REQUIRED, "rotation", "label", "category", *_FLAGS))


class LayoutError(ValueError):
    """What is wrong with a layout file, and where: `place` is a JSON pointer into the file
    ("/" for the file as a whole), `message` what to change there."""

    def __init__(self, place: str, message: str):
        super().__init__(f"{place}: {message}")
        self.place = place
        self.message = message

    def __reduce__(self):
        return (type(self), (self.place, self.message))


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


def parse_layout(data: str | bytes) -> LayoutSpec:
    """The layout a file describes, or a `LayoutError` naming the first thing wrong in it."""
    document = _json_load(data)
    if not isinstance(document, dict):
        raise LayoutError("/", f"a layout file is a JSON object, not {_kind(document)}")
    _check_format(document)
    _check_keys(document, "", what="a layout", required=_ROOT_REQUIRED, allowed=_ROOT_ALLOWED)
    name = _text(document["name"], "/name", max_length=LAYOUT_NAME_MAX)
    width = _extent(document["width"], "/width")
    height = _extent(document["height"], "/height")
    categories = _categories(document["categories"])
    shapes = _shapes(document.get("shapes", []), width=width, height=height)
    known = {category.name: category for category in categories}
    sections = _sections(document["sections"], categories=known, width=width, height=height)
    painted = _assignments(document.get("assignments", []), categories=known, sections=sections)
    return LayoutSpec(
        name=name,
        width=width,
        height=height,
        categories=categories,
        sections=tuple(section.name for section in sections),
        seats=_resolved_seats(sections, painted),
        shapes=shapes,
    )


def layout_document(spec: LayoutSpec) -> dict:
    """The file of `spec` as a JSON-ready dict, written short; `parse_layout` of it (as JSON)
    equals `spec` for every spec `parse_layout` returns.

    Seats are grouped by section (in `spec.sections` order) and row (in order of first seat);
    a section with no seats, which no file can describe, is left out."""
    return {
        "format": LAYOUT_FORMAT,
        "name": spec.name,
        "width": _short(spec.width),
        "height": _short(spec.height),
        "categories": [
            {"name": c.name, "price": f"{c.price:.2f}", "colour": c.colour} for c in spec.categories
        ],
        "shapes": [
            {key: _short(value) if isinstance(value, float) else value for key, value in s.items()}
            for s in spec.shapes
        ],
        "sections": _sections_document(spec),
    }


def default_label(*, prefix: str, row: str, number: int) -> str:
    """ "Stalls A12": a dash comes between row and number when the row name ends in a digit
    ("Block 3 12-5"), so row 1 seat 15 and row 11 seat 5 do not both read "115"."""
    between = "-" if row[-1:].isdigit() else ""
    return f"{prefix} {row}{between}{number}" if prefix else f"{row}{between}{number}"


# Reading: the JSON.


class _Object(dict):
    """A JSON object as read, remembering a key it had twice (json.loads keeps the last one
    silently, and a second "category" would win unseen)."""

    __slots__ = ("repeated",)

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, object]]) -> "_Object":
        obj = cls(pairs)
        obj.repeated = None
        if len(obj) < len(pairs):
            seen = set()
            for key, _ in pairs:
                if key in seen:
                    obj.repeated = key
                    break
                seen.add(key)
        return obj


def _json_load(data: object) -> object:
    if not isinstance(data, str | bytes | bytearray):
        raise LayoutError("/", f"a layout file is JSON text, not {type(data).__name__}")
    try:
        return json.loads(data, object_pairs_hook=_Object.from_pairs)
    except json.JSONDecodeError as exc:
        raise LayoutError(
            "/", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError as exc:
        raise LayoutError(
            "/", f"not text (JSON is UTF-8): {exc.reason} at byte {exc.start}"
        ) from None
    except RecursionError:
        raise LayoutError("/", "nested too deeply to be a layout") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python will read
        raise LayoutError("/", f"not JSON that can be read: {exc}") from None


def _kind(value: object) -> str:
    """A JSON value's type as an error message says it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _shown(value: object) -> str:
    """A value for a message, cut short; an array or object only by its kind (it may be
    nested as deep as JSON allows, too deep to print)."""
    if isinstance(value, list | dict):
        return _kind(value)
    text = json.dumps(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _names(names: list[str]) -> str:
    """Names for a message: the first ten, and how many there are beyond them."""
    shown = ", ".join(json.dumps(name) for name in names[:10])
    return shown if len(names) <= 10 else f"{shown} and {len(names) - 10} more"


def _pointer(place: str, key: str) -> str:
    return place + "/" + key.replace("~", "~0").replace("/", "~1")


def _check_format(document: dict) -> None:
    if "format" not in document:
        raise LayoutError("/format", f'missing: a layout file begins "format": "{LAYOUT_FORMAT}"')
    given = document["format"]
    if given != LAYOUT_FORMAT:
        raise LayoutError(
            "/format", f'must be "{LAYOUT_FORMAT}" (the format this reads), not {_shown(given)}'
        )


def _check_keys(
    value: object, place: str, *, what: str, required: tuple[str, ...], allowed: frozenset[str]
) -> None:
    if not isinstance(value, dict):
        raise LayoutError(place or "/", f"{what} is an object, not {_kind(value)}")
    repeated = getattr(value, "repeated", None)
    if repeated is not None:
        raise LayoutError(
            _pointer(place, repeated), "given twice in one object (JSON would keep the last)"
        )
    for key in required:
        if key not in value:
            raise LayoutError(f"{place}/{key}", f'missing: {what} needs "{key}"')
    if not allowed.issuperset(value):
        unknown = next(key for key in value if key not in allowed)
        raise LayoutError(
            _pointer(place, unknown),
            f"not a key of {what} (it has {', '.join(sorted(allowed))})",
        )


def _array(value: object, place: str, *, what: str, empty: str | None = None) -> list:
    if not isinstance(value, list):
        raise LayoutError(place, f"{what} is an array, not {_kind(value)}")
    if not value and empty is not None:
        raise LayoutError(place, empty)
    return value


def _text(value: object, place: str, *, max_length: int, blank: bool = False) -> str:
    if not isinstance(value, str):
        raise LayoutError(place, f"must be a string, not {_kind(value)}")
    if value.strip() != value:
        raise LayoutError(place, f"must not begin or end with a space: {_shown(value)}")
    if not value and not blank:
        raise LayoutError(place, "must not be empty")
    if len(value) > max_length:
        raise LayoutError(
            place, f"at most {max_length} characters, and {_shown(value)} has {len(value)}"
        )
    return value


def _number(value: object, place: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LayoutError(place, f"must be a number, not {_kind(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise LayoutError(place, f"must be a finite number, not {_shown(value)}")
    return number


def _extent(value: object, place: str) -> float:
    number = _number(value, place)
    if number <= 0:
        raise LayoutError(place, f"must be more than 0, not {number:g}")
    return number


def _coordinate(value: object, place: str, *, limit: float, side: str) -> float:
    """A position on the plan: from 0 up to the plan's `side` ("width" or "height")."""
    number = _number(value, place)
    if number < 0:
        raise LayoutError(place, f"must not be negative ({number:g}): the plan starts at 0")
    if number > limit:
        raise LayoutError(
            place, f"{number:g} is off the plan, whose {side} is {limit:g} (give it room)"
        )
    return number


def _flag(seat: dict, key: str, place: str) -> bool:
    value = seat.get(key, False)
    if not isinstance(value, bool):
        raise LayoutError(f"{place}/{key}", f"must be true or false, not {_kind(value)}")
    return value


def _category_name(value: object, place: str, *, categories: dict[str, CategorySpec]) -> str:
    name = _text(value, place, max_length=CATEGORY_NAME_MAX)
    if name not in categories:
        raise LayoutError(
            place, f"no category is named {_shown(name)} (there are {_names(list(categories))})"
        )
    return name


# Reading: categories and shapes.


def _price(value: object, place: str) -> Decimal:
    if not isinstance(value, str):
        raise LayoutError(
            place, f'must be a string of a decimal such as "85.00", not {_kind(value)}'
        )
    match = _PRICE.fullmatch(value)
    if match is None:
        raise LayoutError(place, f'must be a decimal such as "85.00", not {_shown(value)}')
    sign, units, cents = match.groups()
    if sign:
        raise LayoutError(place, f"must not be negative, and {value} is")
    if cents is not None and len(cents) > 2:
        raise LayoutError(place, f"has at most two decimal places, and {value} has {len(cents)}")
    if len(units.lstrip("0")) > PRICE_DIGITS_MAX:
        raise LayoutError(place, f"must be under {10**PRICE_DIGITS_MAX}, and {value} is not")
    return Decimal(value).quantize(_CENT)


def _colour(value: object, place: str) -> str:
    if not isinstance(value, str):
        raise LayoutError(place, f'must be a string such as "#c0392b", not {_kind(value)}')
    if _COLOUR.fullmatch(value) is None:
        raise LayoutError(place, f'must be "#rrggbb" in hexadecimal, not {_shown(value)}')
    return value.lower()


def _categories(value: object) -> tuple[CategorySpec, ...]:
    items = _array(
        value,
        "/categories",
        what="categories",
        empty="a layout needs at least one category: every seat has one",
    )
    found: dict[str, int] = {}
    categories = []
    for index, item in enumerate(items):
        place = f"/categories/{index}"
        _check_keys(
            item,
            place,
            what="a category",
            required=("name", "price", "colour"),
            allowed=frozenset(("name", "price", "colour")),
        )
        name = _text(item["name"], f"{place}/name", max_length=CATEGORY_NAME_MAX)
        if name in found:
            raise LayoutError(
                f"{place}/name", f"{_shown(name)} is already the name of /categories/{found[name]}"
            )
        found[name] = index
        categories.append(
            CategorySpec(
                name=name,
                price=_price(item["price"], f"{place}/price"),
                colour=_colour(item["colour"], f"{place}/colour"),
            )
        )
    return tuple(categories)


_RECT_ALLOWED = frozenset(("kind", "x", "y", "width", "height", "label", "role"))
_TEXT_ALLOWED = frozenset(("kind", "x", "y", "text", "size"))


def _shapes(value: object, *, width: float, height: float) -> tuple[dict, ...]:
    """The drawing, as the client draws it (frontend drawVenue.ts): rects and texts, each
    entirely on the plan, with numbers as floats and absent optional keys left absent."""
    items = _array(value, "/shapes", what="shapes")
    if len(items) > MAX_SHAPES:
        raise LayoutError("/shapes", f"at most {MAX_SHAPES:,} shapes, and there are {len(items):,}")
    shapes = []
    for index, item in enumerate(items):
        place = f"/shapes/{index}"
        if not isinstance(item, dict):
            raise LayoutError(place, f"a shape is an object, not {_kind(item)}")
        kind = item.get("kind")
        if "kind" not in item:
            raise LayoutError(f"{place}/kind", 'missing: a shape needs "kind", "rect" or "text"')
        if kind == "rect":
            shapes.append(_rect(item, place, width=width, height=height))
        elif kind == "text":
            shapes.append(_text_shape(item, place, width=width, height=height))
        else:
            raise LayoutError(f"{place}/kind", f'must be "rect" or "text", not {_shown(kind)}')
    return tuple(shapes)


def _rect(item: dict, place: str, *, width: float, height: float) -> dict:
    _check_keys(
        item,
        place,
        what="a rect",
        required=("kind", "x", "y", "width", "height"),
        allowed=_RECT_ALLOWED,
    )
    x = _coordinate(item["x"], f"{place}/x", limit=width, side="width")
    y = _coordinate(item["y"], f"{place}/y", limit=height, side="height")
    rect = {"kind": "rect", "x": x, "y": y}
    for key, start, limit in (("width", x, width), ("height", y, height)):
        size = _extent(item[key], f"{place}/{key}")
        if start + size > limit:
            raise LayoutError(
                f"{place}/{key}",
                f"the rect reaches {start + size:g}, off the plan, whose {key} is {limit:g}",
            )
        rect[key] = size
    if "label" in item:
        label = item["label"]
        if not isinstance(label, str):
            raise LayoutError(f"{place}/label", f"must be a string, not {_kind(label)}")
        rect["label"] = label
    if "role" in item:
        role = item["role"]
        if role not in SHAPE_ROLES:
            raise LayoutError(
                f"{place}/role",
                f'must be "stage", "section" or "other", not {_shown(role)}',
            )
        rect["role"] = role
    return rect


def _text_shape(item: dict, place: str, *, width: float, height: float) -> dict:
    _check_keys(
        item, place, what="a text", required=("kind", "x", "y", "text"), allowed=_TEXT_ALLOWED
    )
    text = {
        "kind": "text",
        "x": _coordinate(item["x"], f"{place}/x", limit=width, side="width"),
        "y": _coordinate(item["y"], f"{place}/y", limit=height, side="height"),
        "text": item["text"],
    }
    if not isinstance(text["text"], str) or not text["text"].strip():
        raise LayoutError(f"{place}/text", f"must be a string to show, not {_shown(item['text'])}")
    if "size" in item:
        text["size"] = _extent(item["size"], f"{place}/size")
    return text


# Reading: sections, rows and seats.


@dataclass(slots=True)
class _Row:
    name: str
    category: str | None
    # (number, label, x, y, rotation, category or None, four flags, place): SeatSpec's order.
    seats: list[tuple]


@dataclass(slots=True)
class _Section:
    name: str
    place: str
    category: str | None
    rows: list[_Row]
    row_index: dict[str, int]


def _seat_number(value: object, place: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise LayoutError(place, f"must be a whole number, not {_shown(value)}")
    if not 1 <= value <= SEAT_NUMBER_MAX:
        raise LayoutError(place, f"must be from 1 to {SEAT_NUMBER_MAX}, not {_shown(value)}")
    return value


def _sections(
    value: object, *, categories: dict[str, CategorySpec], width: float, height: float
) -> list[_Section]:
    """Every seat checked on its own and against the others (labels, numbers); categories are
    resolved later, once the assignments are read."""
    items = _array(
        value, "/sections", what="sections", empty="the layout has no seats: it has no sections"
    )
    sections: list[_Section] = []
    section_index: dict[str, int] = {}
    labels: dict[str, str] = {}  # label: the place of the seat that has it
    count = 0
    for s, item in enumerate(items):
        place = f"/sections/{s}"
        _check_keys(
            item,
            place,
            what="a section",
            required=("name", "rows"),
            allowed=frozenset(("name", "prefix", "category", "rows")),
        )
        name = _text(item["name"], f"{place}/name", max_length=SECTION_NAME_MAX)
        if name in section_index:
            raise LayoutError(
                f"{place}/name",
                f"{_shown(name)} is already the name of /sections/{section_index[name]}",
            )
        section_index[name] = s
        prefix = name
        if "prefix" in item:
            prefix = _text(item["prefix"], f"{place}/prefix", max_length=SEAT_LABEL_MAX, blank=True)
        section = _Section(
            name=name,
            place=place,
            category=(
                _category_name(item["category"], f"{place}/category", categories=categories)
                if "category" in item
                else None
            ),
            rows=[],
            row_index={},
        )
        rows = _array(
            item["rows"], f"{place}/rows", what="rows", empty="a section needs at least one row"
        )
        for r, row_item in enumerate(rows):
            row_place = f"{place}/rows/{r}"
            row = _row(row_item, row_place, section=section, categories=categories)
            seats = _array(
                row_item["seats"],
                f"{row_place}/seats",
                what="seats",
                empty="a row needs at least one seat",
            )
            numbers: dict[int, int] = {}
            for n, seat in enumerate(seats):
                seat_place = f"{row_place}/seats/{n}"
                count += 1
                if count > MAX_SEATS:
                    raise LayoutError(
                        "/sections",
                        f"more than {MAX_SEATS:,} seats (the seat at {seat_place} is one too"
                        " many): a seat map is at most that",
                    )
                _check_keys(
                    seat, seat_place, what="a seat", required=_SEAT_REQUIRED, allowed=_SEAT_ALLOWED
                )
                number = _seat_number(seat["number"], f"{seat_place}/number")
                if number in numbers:
                    raise LayoutError(
                        f"{seat_place}/number",
                        f"row {_shown(row.name)} of {_shown(name)} already has seat {number},"
                        f" at {row_place}/seats/{numbers[number]}",
                    )
                numbers[number] = n
                label = _seat_label(seat, seat_place, prefix=prefix, row=row.name, number=number)
                if label in labels:
                    raise LayoutError(
                        f"{seat_place}/label",
                        f"{_shown(label)} is already the label of the seat at {labels[label]}",
                    )
                labels[label] = seat_place
                row.seats.append(
                    _seat(
                        seat,
                        seat_place,
                        number=number,
                        label=label,
                        categories=categories,
                        width=width,
                        height=height,
                    )
                )
        sections.append(section)
    return sections


def _seat(
    seat: dict,
    place: str,
    *,
    number: int,
    label: str,
    categories: dict[str, CategorySpec],
    width: float,
    height: float,
) -> tuple:
    """A seat's fields in SeatSpec's order from `number` on, its own category or None (its
    row, an assignment or its section may give one), and its place last."""
    return (
        number,
        label,
        _coordinate(seat["x"], f"{place}/x", limit=width, side="width"),
        _coordinate(seat["y"], f"{place}/y", limit=height, side="height"),
        _number(seat["rotation"], f"{place}/rotation") if "rotation" in seat else 0.0,
        (
            _category_name(seat["category"], f"{place}/category", categories=categories)
            if "category" in seat
            else None
        ),
        _flag(seat, "accessible", place),
        _flag(seat, "companion", place),
        _flag(seat, "restricted_view", place),
        _flag(seat, "aisle", place),
        place,
    )


def _row(
    item: object, place: str, *, section: _Section, categories: dict[str, CategorySpec]
) -> _Row:
    _check_keys(
        item,
        place,
        what="a row",
        required=("name", "seats"),
        allowed=frozenset(("name", "category", "seats")),
    )
    name = _text(item["name"], f"{place}/name", max_length=ROW_NAME_MAX)
    if name in section.row_index:
        raise LayoutError(
            f"{place}/name",
            f"row {_shown(name)} is already {section.place}/rows/{section.row_index[name]}: a row"
            " is listed once, with all its seats (an aisle is a gap in x, not a second row)",
        )
    section.row_index[name] = len(section.rows)
    row = _Row(
        name=name,
        category=(
            _category_name(item["category"], f"{place}/category", categories=categories)
            if "category" in item
            else None
        ),
        seats=[],
    )
    section.rows.append(row)
    return row


def _seat_label(seat: dict, place: str, *, prefix: str, row: str, number: int) -> str:
    if "label" in seat:
        return _text(seat["label"], f"{place}/label", max_length=SEAT_LABEL_MAX)
    label = default_label(prefix=prefix, row=row, number=number)
    if len(label) > SEAT_LABEL_MAX:
        raise LayoutError(
            f"{place}/label",
            f"the label this seat would get, {_shown(label)}, is over {SEAT_LABEL_MAX} characters:"
            ' give its section a shorter "prefix", or the seat a "label"',
        )
    return label


def _assignments(
    value: object, *, categories: dict[str, CategorySpec], sections: list[_Section]
) -> dict[tuple[int, int], str]:
    """Which category each assignment paints on which row, as (section index, row index):
    a later assignment paints over an earlier one."""
    items = _array(value, "/assignments", what="assignments")
    section_index = {section.name: s for s, section in enumerate(sections)}
    painted: dict[tuple[int, int], str] = {}
    for index, item in enumerate(items):
        place = f"/assignments/{index}"
        _check_keys(
            item,
            place,
            what="an assignment",
            required=("category", "section"),
            allowed=frozenset(("category", "section", "rows")),
        )
        category = _category_name(item["category"], f"{place}/category", categories=categories)
        name = _text(item["section"], f"{place}/section", max_length=SECTION_NAME_MAX)
        if name not in section_index:
            raise LayoutError(
                f"{place}/section",
                f"no section is named {_shown(name)} (there are {_names(list(section_index))})",
            )
        s = section_index[name]
        section = sections[s]
        span = range(len(section.rows))
        if "rows" in item:
            bounds = _array(item["rows"], f"{place}/rows", what="rows")
            if not 1 <= len(bounds) <= 2:
                raise LayoutError(
                    f"{place}/rows",
                    'names one row or the first and last of a range, as ["A"] or ["A", "F"]',
                )
            ends = []
            for b, row_name in enumerate(bounds):
                row_place = f"{place}/rows/{b}"
                row_name = _text(row_name, row_place, max_length=ROW_NAME_MAX)
                if row_name not in section.row_index:
                    raise LayoutError(
                        row_place, f"section {_shown(name)} has no row {_shown(row_name)}"
                    )
                ends.append(section.row_index[row_name])
            span = range(min(ends), max(ends) + 1)
        for r in span:
            painted[(s, r)] = category
    return painted


def _resolved_seats(
    sections: list[_Section], painted: dict[tuple[int, int], str]
) -> tuple[SeatSpec, ...]:
    """Each seat's category, the most specific one given: the seat's, its row's, the last
    assignment's that covers its row, its section's."""
    seats = []
    for s, section in enumerate(sections):
        for r, row in enumerate(section.rows):
            fallback = row.category or painted.get((s, r)) or section.category
            for number, label, x, y, rotation, category, *flags, place in row.seats:
                category = category or fallback
                if category is None:
                    raise LayoutError(
                        f"{place}/category",
                        "this seat has no category: give it one, or its row or its section one,"
                        " or name its row in an assignment",
                    )
                seats.append(
                    SeatSpec(
                        section.name, row.name, number, label, x, y, rotation, category, *flags
                    )
                )
    return tuple(seats)


# Writing.


def _short(number: float) -> int | float:
    """300.0 as 300: the file is shorter and reads back as the same float."""
    number = float(number)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _sections_document(spec: LayoutSpec) -> list[dict]:
    grouped: dict[str, dict[str, list[SeatSpec]]] = {name: {} for name in spec.sections}
    for seat in spec.seats:
        grouped.setdefault(seat.section, {}).setdefault(seat.row, []).append(seat)
    sections = []
    for name, rows in grouped.items():
        seats = [seat for row in rows.values() for seat in row]
        if not seats:
            continue
        prefix = _prefix_of(name, seats)
        section = {"name": name}
        if prefix != name:
            section["prefix"] = prefix
        section["category"] = _commonest(seats)
        section["rows"] = [
            _row_document(row_name, row, prefix=prefix, section_category=section["category"])
            for row_name, row in rows.items()
        ]
        sections.append(section)
    return sections


def _commonest(seats: list[SeatSpec]) -> str:
    return Counter(seat.category for seat in seats).most_common(1)[0][0]


def _prefix_of(name: str, seats: list[SeatSpec]) -> str:
    """The prefix that gives most of the section's labels: its name, or what its first seat's
    label has before the row and number."""
    first = seats[0]
    tail = default_label(prefix="", row=first.row, number=first.number)
    candidates = [name]
    if first.label == tail:
        candidates.append("")
    elif first.label.endswith(" " + tail):
        prefix = first.label[: -len(tail) - 1]
        if prefix.strip() == prefix:
            candidates.append(prefix)
    return max(
        candidates,
        key=lambda prefix: sum(
            seat.label == default_label(prefix=prefix, row=seat.row, number=seat.number)
            for seat in seats
        ),
    )


def _row_document(name: str, seats: list[SeatSpec], *, prefix: str, section_category: str) -> dict:
    row: dict = {"name": name}
    category = _commonest(seats)
    if category != section_category:
        row["category"] = category
    row["seats"] = []
    for seat in seats:
        entry: dict = {"number": seat.number}
        if seat.label != default_label(prefix=prefix, row=name, number=seat.number):
            entry["label"] = seat.label
        entry["x"] = _short(seat.x)
        entry["y"] = _short(seat.y)
        if seat.rotation:
            entry["rotation"] = _short(seat.rotation)
        if seat.category != category:
            entry["category"] = seat.category
        for flag in _FLAGS:
            if getattr(seat, flag):
                entry[flag] = True
        row["seats"].append(entry)
    return row
