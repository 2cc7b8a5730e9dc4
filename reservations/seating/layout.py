"""The room as the seat picker sees it: rows of seats, which seats sit side by side, how far
each row is from the stage.

Nothing here reads the database. The caller turns an event's seats into ``SeatInfo`` values
(position, price category, accessibility, free or not) and builds a ``Room`` once per request.

Two seats of a row are *side by side* when they are consecutive in the row's order (x, then
number) and the gap between them is less than 1.6 times the row's median spacing: an aisle
through the row is a wider gap, so it ends a block exactly as the row's end does.

A row's *distance from the stage* is the mean distance of its seats to the stage point; rows
are ranked by it, nearest first, and rows at the same distance share a rank (two mirrored
sections are equally good).
"""

import dataclasses
import itertools
import math
import operator
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

# A gap this many times the row's usual spacing is an aisle, not the space between two seats.
AISLE_GAP = 1.6


@dataclass(frozen=True, slots=True)
class SeatInfo:
    """One seat as the picker needs it. `accessible` is a wheelchair space; `companion` a seat
    beside one, for the wheelchair user's companion; `aisle` a seat on an aisle."""

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

    ``joined[i]`` says whether ``seats[i]`` and ``seats[i + 1]`` sit side by side. ``centre``
    is the middle of the whole row (every seat, free or not), ``spacing`` its median gap,
    the unit in which the picker measures distances along the row.
    """

    section: str
    name: str
    seats: tuple[SeatInfo, ...]
    joined: tuple[bool, ...]
    spacing: float
    centre: float
    distance: float
    rank: int
    # The seats' columns, kept apart so that the picker's inner loop indexes tuples.
    ids: tuple[int, ...] = field(init=False, repr=False)
    xs: tuple[float, ...] = field(init=False, repr=False)
    free: tuple[bool, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ids", tuple(map(_id, self.seats)))
        object.__setattr__(self, "xs", tuple(map(_x, self.seats)))
        object.__setattr__(self, "free", tuple(map(_free, self.seats)))

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
        if len({seat.id for seat in seats}) != len(seats):
            raise ValueError("two seats share an id")
        if len(seats) > 1 and len({(seat.x, seat.y) for seat in seats}) == 1:
            seats = _on_a_grid(seats)
        if stage is None and seats:
            xs = [seat.x for seat in seats]
            stage = ((min(xs) + max(xs)) / 2, min(seat.y for seat in seats))
        if stage is None:
            stage = (0.0, 0.0)

        grouped: dict[tuple[str, str], list[SeatInfo]] = {}
        for seat in seats:
            grouped.setdefault((seat.section, seat.row), []).append(seat)
        ordered = {key: sorted(group, key=_along_row) for key, group in grouped.items()}
        gaps = {key: _gaps(group) for key, group in ordered.items()}
        room_spacing = _spacing([gap for row_gaps in gaps.values() for gap in row_gaps], 1.0)
        distances = {key: _distance(group, stage) for key, group in ordered.items()}
        rank_of = {
            d: rank for rank, d in enumerate(sorted({round(d, 6) for d in distances.values()}))
        }

        rows = []
        for key in sorted(ordered, key=lambda key: (distances[key], key)):
            row_seats, row_gaps = ordered[key], gaps[key]
            spacing = _spacing(row_gaps, room_spacing)
            rows.append(
                Row(
                    section=key[0],
                    name=key[1],
                    seats=tuple(row_seats),
                    joined=tuple(gap < AISLE_GAP * spacing for gap in row_gaps),
                    spacing=spacing,
                    centre=(row_seats[0].x + row_seats[-1].x) / 2,
                    distance=distances[key],
                    rank=rank_of[round(distances[key], 6)],
                )
            )
        places: dict[int, tuple[int, int]] = {}
        for index, row in enumerate(rows):
            places.update(zip(row.ids, [(index, at) for at in range(len(row.ids))], strict=True))
        return cls(rows=tuple(rows), stage=stage, places=places)

    def with_free(self, changes: dict[int, bool]) -> "Room":
        """The same room with seat `id` free or not as `changes[id]` says (other seats as
        they are): what changes between two requests, without grouping, sorting and measuring
        the rows again; only the rows with a change are made anew."""
        by_row: dict[int, dict[int, bool]] = {}
        for seat_id, free in changes.items():
            index, position = self.places[seat_id]
            by_row.setdefault(index, {})[position] = free
        rows = list(self.rows)
        for index, row_changes in by_row.items():
            seats = list(rows[index].seats)
            for position, free in row_changes.items():
                if seats[position].free != free:
                    seats[position] = replace(seats[position], free=free)
            rows[index] = replace(rows[index], seats=tuple(seats))
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
        dataclasses.replace(seat, x=float(seat.number), y=float(order[seat.section, seat.row]))
        for seat in seats
    ]


_along_row = operator.attrgetter("x", "number")
_position = operator.attrgetter("x", "y")
_id, _x, _free = operator.attrgetter("id"), operator.attrgetter("x"), operator.attrgetter("free")


def _gaps(seats: list[SeatInfo]) -> list[float]:
    return [after.x - before.x for before, after in zip(seats, seats[1:], strict=False)]


def _spacing(gaps: list[float], fallback: float) -> float:
    """The usual gap between neighbours; a row of one seat (or of stacked ones) has none of its
    own and borrows the room's."""
    spacing = statistics.median(gaps) if gaps else 0.0
    return spacing if spacing > 0 else fallback


def _distance(seats: list[SeatInfo], stage: tuple[float, float]) -> float:
    """The mean distance of `seats` to the stage."""
    return sum(map(math.dist, itertools.repeat(stage), map(_position, seats))) / len(seats)
