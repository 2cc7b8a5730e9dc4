"""Writing a `LayoutSpec` back out as its layout file, short: a section's and a row's
commonest category once at its level, a label only where the section's prefix would not give
it, a flag only when true. Reading what it writes gives back an equal spec."""

from collections import Counter

from .spec import LAYOUT_FORMAT, SEAT_FLAGS, LayoutSpec, SeatSpec, default_label


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
        for flag in SEAT_FLAGS:
            if getattr(seat, flag):
                entry[flag] = True
        row["seats"].append(entry)
    return row
