"""Rooms drawn as text, so that a test shows the room it is about.

``room("A: ..XX....X.", "B: ..........")`` is two rows, A in front (nearer the stage, which is at
the top), one seat a character: ``.`` a free seat, ``X`` a taken one, ``W`` a free wheelchair
space, ``C`` a free companion seat, ``w`` and ``c`` taken ones, ``|`` an aisle (a gap wide as a
seat; the seats beside it are aisle seats). A row may name its section and price category:
``"Balcony/A@2: ...."``; the section is ``Floor`` and the category 1 otherwise.

Seats are numbered from 1 along each row, so ``labels(room, pick.seats)`` reads ``["A4", "A5"]``.
``turn`` turns the whole drawing on the plan by that many degrees about (0, 0), the stage too.
"""

import math
import re

from reservations.seating.room import Room, SeatInfo

LINE = re.compile(
    r"^(?:(?P<section>[^/:@]+)/)?(?P<row>[^/:@]+)(?:@(?P<category>\d+))?: ?(?P<seats>.*)$"
)
SEATS = {
    ".": {},
    "X": {"free": False},
    "W": {"accessible": True},
    "w": {"accessible": True, "free": False},
    "C": {"companion": True},
    "c": {"companion": True, "free": False},
}


def room(*lines: str, stage: tuple[float, float] | None = None, turn: float = 0) -> Room:
    seats = []
    for y, line in enumerate(lines):
        match = LINE.match(line)
        if match is None:
            raise ValueError(f"not a row: {line!r}")
        section, row = match["section"] or "Floor", match["row"].strip()
        category = int(match["category"] or 1)
        drawing = match["seats"]
        x, number = 0, 0
        for at, char in enumerate(drawing):
            x += 1
            if char == "|":
                continue
            number += 1
            beside = {drawing[at - 1] if at else "", drawing[at + 1 : at + 2]}
            seats.append(
                SeatInfo(
                    id=len(seats) + 1,
                    section=section,
                    row=row,
                    number=number,
                    x=float(x),
                    y=float(y),
                    category=category,
                    aisle="|" in beside,
                    **SEATS[char],
                )
            )
    if turn:
        seats = [_turned(seat, turn) for seat in seats]
        stage = stage and _turned_point(stage, turn)
    return Room.from_seats(seats, stage=stage)


def _turned_point(point: tuple[float, float], degrees: float) -> tuple[float, float]:
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return (point[0] * cos - point[1] * sin, point[0] * sin + point[1] * cos)


def _turned(seat: SeatInfo, degrees: float) -> SeatInfo:
    x, y = _turned_point((seat.x, seat.y), degrees)
    return seat._replace(x=x, y=y)


def seat_ids(room: Room, *labels: str) -> tuple[int, ...]:
    """The ids of the seats labelled like ``"A4"``, in the order given."""
    by_label = {f"{seat.row}{seat.number}": seat.id for seat in room.seats}
    return tuple(by_label[label] for label in labels)


def labels(room: Room, ids) -> list[str]:
    return [f"{seat.row}{seat.number}" for seat in map(room.seat, ids)]
