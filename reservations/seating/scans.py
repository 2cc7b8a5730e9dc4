"""What the picker works out about one row, kept with the row (`Row.scans`).

A room changed elsewhere keeps this row object, so the next request finds its runs, windows
and blocks done; a change to the row makes a new row, which starts with none. Nothing else
evicts: a row holds at most one entry per kind of look, filter, size and weights that requests
have asked of it (the API bounds each), and lives only as long as the room that holds it.
"""

from dataclasses import dataclass
from typing import NamedTuple

from .picks import Weights


class ScanFilter(NamedTuple):
    """What a row's scans depend on besides the row: the look's kind and the request's
    filter."""

    kind: str
    category: int | None
    section: str | None


class Runs(NamedTuple):
    """The first and last positions of each run of usable seats side by side, along the row,
    and the longest run's length."""

    runs: list[tuple[int, int]]
    longest: int


@dataclass(slots=True)
class Window:
    """Seats `start`..`start + size - 1` of a row: one block, or one part of a split. `centre`
    is its centre term, `extra` its orphan, aisle and accessible-use terms."""

    start: int
    centre: float
    extra: float
    orphans: tuple[int, ...]
    wheelchairs: int
    companions: int


class Block(NamedTuple):
    """A block of a row, scored as the search for seats together ranks it."""

    rounded: float  # the score to 9 places: equal scores tie, whatever the float's last bits
    score: float
    seats: tuple[int, ...]
    orphans: tuple[int, ...]
    wheelchairs: int
    companions: int


# (filter, size, may strand a seat, weights): plain tuples, built on the picker's inner path.
WindowsKey = tuple[ScanFilter, int, bool, Weights]


class RowScans:
    """One row's scans: its runs per filter, its windows and scored blocks per size."""

    __slots__ = ("blocks", "runs", "windows")

    def __init__(self) -> None:
        self.runs: dict[ScanFilter, Runs] = {}
        self.windows: dict[WindowsKey, list[Window]] = {}
        self.blocks: dict[WindowsKey, list[Block]] = {}
