"""What a layout file says across its values, which a schema cannot: every name it refers to
is defined and defined once, everything lies on the plan, each made label fits and is unique,
the room is not too big, and every seat ends with a category. Checked in reading order on a
document whose shape the schema has accepted, and resolved into the `LayoutSpec` it means.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import LayoutError, names_shown, shown
from .shape import SCHEMA
from .spec import SEAT_FLAGS, CategorySpec, LayoutSpec, SeatSpec, default_label

# What one seat map can carry (a seat row each; the map is sent whole).
MAX_SEATS = 100_000
SEAT_LABEL_MAX = SCHEMA["$defs"]["seat"]["properties"]["label"]["maxLength"]

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class _PlacedSeat:
    """A seat as its file gives it: its own category or None (its row, an assignment or its
    section may give one), and its place in the file, to name when it has none."""

    number: int
    label: str
    x: float
    y: float
    rotation: float
    category: str | None
    accessible: bool
    companion: bool
    restricted_view: bool
    aisle: bool
    place: str


@dataclass(slots=True)
class _Row:
    name: str
    category: str | None
    seats: list[_PlacedSeat] = field(default_factory=list)


@dataclass(slots=True)
class _Section:
    name: str
    place: str
    category: str | None
    rows: list[_Row] = field(default_factory=list)
    row_index: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Plan:
    width: float
    height: float

    def check(self, value: float, place: str, *, side: str) -> float:
        """A position on the plan: up to its `side` ("width" or "height")."""
        limit = self.width if side == "width" else self.height
        if value > limit:
            raise LayoutError(
                place, f"{value:g} is off the plan, whose {side} is {limit:g} (give it room)"
            )
        return value


def resolve_layout(document: dict) -> LayoutSpec:
    """The room a layout document of the schema's shape describes, or a `LayoutError` naming
    the first thing in it that refers to what is not there, or repeats, or does not fit."""
    plan = _Plan(float(document["width"]), float(document["height"]))
    categories = _categories(document["categories"])
    shapes = _shapes(document.get("shapes", []), plan=plan)
    known = {category.name: category for category in categories}
    sections = _sections(document["sections"], categories=known, plan=plan)
    painted = _assignments(document.get("assignments", []), categories=known, sections=sections)
    return LayoutSpec(
        name=document["name"],
        width=plan.width,
        height=plan.height,
        categories=categories,
        sections=tuple(section.name for section in sections),
        seats=_resolved_seats(sections, painted),
        shapes=shapes,
    )


def _categories(items: list[dict]) -> tuple[CategorySpec, ...]:
    found: dict[str, int] = {}
    for index, item in enumerate(items):
        _name_once(item["name"], "/categories", index, names=found)
    return tuple(
        CategorySpec(
            name=item["name"],
            price=Decimal(item["price"]).quantize(_CENT),
            colour=item["colour"].lower(),
        )
        for item in items
    )


def _name_once(name: str, listed: str, index: int, *, names: dict[str, int]) -> None:
    """Note `name` as item `index`'s of the list at `listed`: an earlier item's is refused."""
    if name in names:
        raise LayoutError(
            f"{listed}/{index}/name", f"{shown(name)} is already the name of {listed}/{names[name]}"
        )
    names[name] = index


def _category_name(name: str, place: str, *, categories: dict[str, CategorySpec]) -> str:
    if name not in categories:
        raise LayoutError(
            place, f"no category is named {shown(name)} (there are {names_shown(list(categories))})"
        )
    return name


def _shapes(items: list[dict], *, plan: _Plan) -> tuple[dict, ...]:
    """The drawing, as the client draws it (frontend drawVenue.ts): rects and texts, each
    entirely on the plan, with numbers as floats and absent optional keys left absent."""
    shapes = []
    for index, item in enumerate(items):
        place = f"/shapes/{index}"
        x = plan.check(float(item["x"]), f"{place}/x", side="width")
        y = plan.check(float(item["y"]), f"{place}/y", side="height")
        if item["kind"] == "rect":
            shape = {"kind": "rect", "x": x, "y": y}
            for key, start in (("width", x), ("height", y)):
                size = float(item[key])
                limit = plan.width if key == "width" else plan.height
                if start + size > limit:
                    raise LayoutError(
                        f"{place}/{key}",
                        f"the rect reaches {start + size:g}, off the plan, whose {key} is"
                        f" {limit:g}",
                    )
                shape[key] = size
            shape.update((key, item[key]) for key in ("label", "role") if key in item)
        else:
            shape = {"kind": "text", "x": x, "y": y, "text": item["text"]}
            if "size" in item:
                shape["size"] = float(item["size"])
        shapes.append(shape)
    return tuple(shapes)


def _sections(
    items: list[dict], *, categories: dict[str, CategorySpec], plan: _Plan
) -> list[_Section]:
    """Every seat checked against the plan and the others (labels, numbers); categories are
    resolved later, once the assignments are read."""
    sections: list[_Section] = []
    section_index: dict[str, int] = {}
    labels: dict[str, str] = {}  # label: the place of the seat that has it
    count = 0
    for s, item in enumerate(items):
        place = f"/sections/{s}"
        name = item["name"]
        _name_once(name, "/sections", s, names=section_index)
        prefix = item.get("prefix", name)
        section = _Section(name=name, place=place, category=None)
        if "category" in item:
            section.category = _category_name(
                item["category"], f"{place}/category", categories=categories
            )
        for r, row_item in enumerate(item["rows"]):
            row_place = f"{place}/rows/{r}"
            row = _row(row_item, row_place, section=section, categories=categories)
            numbers: dict[int, int] = {}
            for n, seat in enumerate(row_item["seats"]):
                seat_place = f"{row_place}/seats/{n}"
                count += 1
                if count > MAX_SEATS:
                    raise LayoutError(
                        "/sections",
                        f"more than {MAX_SEATS:,} seats (the seat at {seat_place} is one too"
                        " many): a seat map is at most that",
                    )
                number = int(seat["number"])
                if number in numbers:
                    raise LayoutError(
                        f"{seat_place}/number",
                        f"row {shown(row.name)} of {shown(name)} already has seat {number},"
                        f" at {row_place}/seats/{numbers[number]}",
                    )
                numbers[number] = n
                label = _seat_label(seat, seat_place, prefix=prefix, row=row.name, number=number)
                if label in labels:
                    raise LayoutError(
                        f"{seat_place}/label",
                        f"{shown(label)} is already the label of the seat at {labels[label]}",
                    )
                labels[label] = seat_place
                row.seats.append(
                    _placed_seat(
                        seat,
                        seat_place,
                        number=number,
                        label=label,
                        categories=categories,
                        plan=plan,
                    )
                )
        sections.append(section)
    return sections


def _row(item: dict, place: str, *, section: _Section, categories: dict[str, CategorySpec]) -> _Row:
    name = item["name"]
    if name in section.row_index:
        raise LayoutError(
            f"{place}/name",
            f"row {shown(name)} is already {section.place}/rows/{section.row_index[name]}: a row"
            " is listed once, with all its seats (an aisle is a gap in x, not a second row)",
        )
    section.row_index[name] = len(section.rows)
    row = _Row(name=name, category=None)
    if "category" in item:
        row.category = _category_name(item["category"], f"{place}/category", categories=categories)
    section.rows.append(row)
    return row


def _seat_label(seat: dict, place: str, *, prefix: str, row: str, number: int) -> str:
    if "label" in seat:
        return seat["label"]
    label = default_label(prefix=prefix, row=row, number=number)
    if len(label) > SEAT_LABEL_MAX:
        raise LayoutError(
            f"{place}/label",
            f"the label this seat would get, {shown(label)}, is over {SEAT_LABEL_MAX} characters:"
            ' give its section a shorter "prefix", or the seat a "label"',
        )
    return label


def _placed_seat(
    seat: dict,
    place: str,
    *,
    number: int,
    label: str,
    categories: dict[str, CategorySpec],
    plan: _Plan,
) -> _PlacedSeat:
    return _PlacedSeat(
        number=number,
        label=label,
        x=plan.check(float(seat["x"]), f"{place}/x", side="width"),
        y=plan.check(float(seat["y"]), f"{place}/y", side="height"),
        rotation=float(seat.get("rotation", 0.0)),
        category=(
            _category_name(seat["category"], f"{place}/category", categories=categories)
            if "category" in seat
            else None
        ),
        **{flag: seat.get(flag, False) for flag in SEAT_FLAGS},
        place=place,
    )


def _assignments(
    items: list[dict], *, categories: dict[str, CategorySpec], sections: list[_Section]
) -> dict[tuple[int, int], str]:
    """Which category each assignment paints on which row, as (section index, row index):
    a later assignment paints over an earlier one."""
    section_index = {section.name: s for s, section in enumerate(sections)}
    painted: dict[tuple[int, int], str] = {}
    for index, item in enumerate(items):
        place = f"/assignments/{index}"
        category = _category_name(item["category"], f"{place}/category", categories=categories)
        name = item["section"]
        if name not in section_index:
            raise LayoutError(
                f"{place}/section",
                f"no section is named {shown(name)} (there are {names_shown(list(section_index))})",
            )
        s = section_index[name]
        section = sections[s]
        span = range(len(section.rows))
        if "rows" in item:
            ends = []
            for b, row_name in enumerate(item["rows"]):
                if row_name not in section.row_index:
                    raise LayoutError(
                        f"{place}/rows/{b}", f"section {shown(name)} has no row {shown(row_name)}"
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
            for seat in row.seats:
                category = seat.category or fallback
                if category is None:
                    raise LayoutError(
                        f"{seat.place}/category",
                        "this seat has no category: give it one, or its row or its section one,"
                        " or name its row in an assignment",
                    )
                seats.append(
                    SeatSpec(
                        section=section.name,
                        row=row.name,
                        number=seat.number,
                        label=seat.label,
                        x=seat.x,
                        y=seat.y,
                        rotation=seat.rotation,
                        category=category,
                        accessible=seat.accessible,
                        companion=seat.companion,
                        restricted_view=seat.restricted_view,
                        aisle=seat.aisle,
                    )
                )
    return tuple(seats)
