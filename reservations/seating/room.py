"""The room as the seat picker sees it: rows of seats, which seats sit side by side, how far
each row is from the stage.

Nothing here reads the database. The caller turns an event's seats into ``SeatInfo`` values
(position, price category, accessibility, free or not) and builds a ``Room`` once per request.

A row runs along its seats' main direction: left to right for a straight row across the
plan (then its order is simply x, then number, whatever the numbering), or along its arc or
slant in a curved or turned section. Two seats of a row are *side by side* when they are
consecutive in that order and the gap between them is less than 1.6 times the row's median
spacing: an aisle through the row is a wider gap, so it ends a block exactly as the row's end
does. Distances along a row are measured seat to seat, so along an arc.

A row's *distance from the stage* is the mean distance of its seats to the stage point; rows
are ranked by it, nearest first, and rows at the same distance share a rank (two mirrored
sections are equally good).
"""

import dataclasses
import itertools
import math
import operator
import statistics
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from .scans import RowScans

# A gap this many times the row's usual spacing is an aisle, not the space between two seats.
AISLE_GAP = 1.6


class SeatInfo(NamedTuple):
    """One seat as the picker needs it. `accessible` is a wheelchair space; `companion` a seat
    beside one, for the wheelchair user's companion; `aisle` a seat on an aisle. A named tuple:
    a room is built from thousands of them (a frozen dataclass took 2.2 us each, this 0.3)."""

    id: int
    section: str
    row: str
    number: int
    x: float
    y: float
    category: int | None = None
    accessible: bool = False
    companion: bool = False
    aisle: bool = False
    free: bool = True


@dataclass(frozen=True, slots=True)
class Row:
    """One row of one section, its seats in order along the row.

    ``axis`` is the unit vector the row runs along; ``along[i]`` is where ``seats[i]`` is
    along the row: the first seat's position projected on the axis, then seat to seat.
    ``joined[i]`` says whether ``seats[i]`` and ``seats[i + 1]`` sit side by side.
    ``spacing`` is the median gap, the unit in which the picker counts seats along the row.
    """

    section: str
    name: str
    seats: tuple[SeatInfo, ...]
    axis: tuple[float, float]
    along: tuple[float, ...]
    joined: tuple[bool, ...]
    spacing: float
    distance: float
    rank: int
    # The seats' columns, kept apart so that the picker's inner loop indexes tuples.
    ids: tuple[int, ...] = field(init=False, repr=False)
    free: tuple[bool, ...] = field(init=False, repr=False)
    # What the picker has worked out about this row, for as long as the row lasts (scans.py).
    scans: RowScans = field(init=False, repr=False, compare=False, default_factory=RowScans)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ids", tuple(map(_id, self.seats)))
        object.__setattr__(self, "free", tuple(map(_free, self.seats)))

    @property
    def centre(self) -> float:
        """The middle of the whole row, every seat of it free or not, along the row."""
        return (self.along[0] + self.along[-1]) / 2

    def projected(self, axis: tuple[float, float]) -> list[float]:
        """Where the row's seats are along `axis` (another row's, to compare the two)."""
        axis_x, axis_y = axis
        return [seat.x * axis_x + seat.y * axis_y for seat in self.seats]

    def beside(self, position: int) -> Iterator[int]:
        """The positions of the seats side by side with the one at `position` (none, one, two)."""
        if position > 0 and self.joined[position - 1]:
            yield position - 1
        if position + 1 < len(self.seats) and self.joined[position]:
            yield position + 1


@dataclass(frozen=True, slots=True)
class Room:
    """The rows of a room, nearest to the stage first, and where each seat is."""

    rows: tuple[Row, ...]
    stage: tuple[float, float]
    # seat id -> (index in `rows`, position in the row)
    places: dict[int, tuple[int, int]] = field(repr=False, compare=False)

    @classmethod
    def from_seats(
        cls, seats: Iterable[SeatInfo], *, stage: tuple[float, float] | None = None
    ) -> "Room":
        """Group `seats` into rows by (section, row). Without a `stage`, the stage is at the
        top centre of the room: the middle of the seats' x range, at their smallest y.

        Seats that all stand at one point have no plan (a grid event keeps them at 0, 0): they
        are then placed one apart by number along their rows, the rows one apart in the order
        of their first seat's id, which is layout order."""
        seats = list(seats)
        if len(set(map(_id, seats))) != len(seats):
            raise ValueError("two seats share an id")
        if len(seats) > 1 and all((seat.x, seat.y) == _position(seats[0]) for seat in seats):
            seats = _on_a_grid(seats)
        if stage is None and seats:
            xs = [seat.x for seat in seats]
            stage = ((min(xs) + max(xs)) / 2, min(seat.y for seat in seats))
        if stage is None:
            stage = (0.0, 0.0)

        grouped: dict[tuple[str, str], list[SeatInfo]] = {}
        for seat in seats:
            grouped.setdefault((seat.section, seat.row), []).append(seat)
        axes = _axes(grouped, stage)
        ordered = {key: _in_order(group, axes[key]) for key, group in grouped.items()}
        gaps = {key: _gaps(group) for key, group in ordered.items()}
        room_spacing = _spacing([gap for row_gaps in gaps.values() for gap in row_gaps], 1.0)
        distances = {key: _distance(group, stage) for key, group in ordered.items()}
        rank_of = {
            d: rank for rank, d in enumerate(sorted({round(d, 6) for d in distances.values()}))
        }

        rows = []
        for key in sorted(ordered, key=lambda key: (distances[key], key)):
            row_seats, row_gaps, (axis_x, axis_y) = ordered[key], gaps[key], axes[key]
            spacing = _spacing(row_gaps, room_spacing)
            start = row_seats[0].x * axis_x + row_seats[0].y * axis_y
            rows.append(
                Row(
                    section=key[0],
                    name=key[1],
                    seats=tuple(row_seats),
                    axis=axes[key],
                    along=tuple(itertools.accumulate(row_gaps, initial=start)),
                    joined=tuple(gap < AISLE_GAP * spacing for gap in row_gaps),
                    spacing=spacing,
                    distance=distances[key],
                    rank=rank_of[round(distances[key], 6)],
                )
            )
        places: dict[int, tuple[int, int]] = {}
        for index, row in enumerate(rows):
            places.update(zip(row.ids, [(index, at) for at in range(len(row.ids))], strict=True))
        return cls(rows=tuple(rows), stage=stage, places=places)

    def with_changes(self, free: Mapping[int, bool]) -> "Room":
        """This room with each seat of `free` free or not as it says; the layout and the rows of
        the other seats kept as they are (the same objects), so a caller that builds an event's
        room once and knows what changed since pays for those rows only."""
        by_row: dict[int, dict[int, bool]] = {}
        for seat_id, now in free.items():
            index, position = self.places[seat_id]
            by_row.setdefault(index, {})[position] = now
        if not by_row:
            return self
        rows = list(self.rows)
        for index, changes in by_row.items():
            seats = list(rows[index].seats)
            for position, now in changes.items():
                if seats[position].free != now:
                    seats[position] = seats[position]._replace(free=now)
            rows[index] = dataclasses.replace(rows[index], seats=tuple(seats))
        return Room(rows=tuple(rows), stage=self.stage, places=self.places)

    @property
    def seats(self) -> Iterator[SeatInfo]:
        for row in self.rows:
            yield from row.seats

    def place(self, seat_id: int) -> tuple[Row, int]:
        """The row of seat `seat_id` and its position there (KeyError for a stranger)."""
        index, position = self.places[seat_id]
        return self.rows[index], position

    def seat(self, seat_id: int) -> SeatInfo:
        row, position = self.place(seat_id)
        return row.seats[position]


def _on_a_grid(seats: list[SeatInfo]) -> list[SeatInfo]:
    first_id: dict[tuple[str, str], int] = {}
    for seat in seats:
        key = (seat.section, seat.row)
        first_id[key] = min(first_id.get(key, seat.id), seat.id)
    order = {key: y for y, key in enumerate(sorted(first_id, key=first_id.__getitem__))}
    return [
        seat._replace(x=float(seat.number), y=float(order[seat.section, seat.row]))
        for seat in seats
    ]


Axis = tuple[float, float]


def _axes(
    grouped: dict[tuple[str, str], list[SeatInfo]], stage: tuple[float, float]
) -> dict[tuple[str, str], Axis]:
    """Each row's direction. A row of one seat has none of its own: it runs as the longest row
    of its section does, or, in a section of single seats, across the line to the stage."""
    axes = {key: _axis(group) for key, group in grouped.items() if len(group) > 1}
    longest: dict[str, tuple[str, str]] = {}
    for key in sorted(axes, key=lambda key: len(grouped[key])):
        longest[key[0]] = key
    for key, group in grouped.items():
        if key not in axes:
            axes[key] = axes[longest[key[0]]] if key[0] in longest else _facing(group, stage)
    return axes


def _facing(seats: list[SeatInfo], stage: tuple[float, float]) -> Axis:
    """Square to the line from the stage to `seats`, pointing towards growing x."""
    across_x = -(seats[0].y - stage[1])
    across_y = seats[0].x - stage[0]
    length = math.hypot(across_x, across_y)
    if not length:
        return (1.0, 0.0)
    if across_x < 0 or (across_x == 0 and across_y < 0):
        across_x, across_y = -across_x, -across_y
    return (across_x / length, across_y / length)


def _axis(seats: list[SeatInfo]) -> Axis:
    """The direction a row runs in: its seats' principal axis, pointing towards growing x (or
    growing y, for a row straight down the plan)."""
    ys = list(map(_y, seats))
    if min(ys) == max(ys):
        return (1.0, 0.0)
    xs, count = list(map(_x, seats)), len(seats)
    mean_x, mean_y = sum(xs) / count, sum(ys) / count
    sxx = sum(map(operator.mul, xs, xs)) - count * mean_x * mean_x
    syy = sum(map(operator.mul, ys, ys)) - count * mean_y * mean_y
    sxy = sum(map(operator.mul, xs, ys)) - count * mean_x * mean_y
    angle = math.atan2(2 * sxy, sxx - syy) / 2  # in (-pi/2, pi/2]: the axis points right
    return (math.cos(angle), math.sin(angle))


def _in_order(seats: list[SeatInfo], axis: Axis) -> list[SeatInfo]:
    if axis == (1.0, 0.0):
        return sorted(seats, key=_x_then_number)
    axis_x, axis_y = axis
    return sorted(seats, key=lambda seat: (seat.x * axis_x + seat.y * axis_y, seat.number))


_x_then_number = operator.attrgetter("x", "number")
_position = operator.attrgetter("x", "y")
_id, _free = operator.attrgetter("id"), operator.attrgetter("free")
_x, _y = operator.attrgetter("x"), operator.attrgetter("y")


def _gaps(seats: list[SeatInfo]) -> list[float]:
    """The distances between neighbours in the row, seat to seat."""
    return list(map(math.dist, map(_position, seats), map(_position, seats[1:])))


def _spacing(gaps: list[float], fallback: float) -> float:
    """The usual gap between neighbours; a row of one seat (or of stacked ones) has none of its
    own and borrows the room's."""
    spacing = statistics.median(gaps) if gaps else 0.0
    return spacing if spacing > 0 else fallback


def _distance(seats: list[SeatInfo], stage: tuple[float, float]) -> float:
    """The mean distance of `seats` to the stage."""
    return sum(map(math.dist, itertools.repeat(stage), map(_position, seats))) / len(seats)
