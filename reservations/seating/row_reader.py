"""Reading one row for one look at the room: where its runs of usable seats are, and the
windows (blocks of a size) they hold, each scored, worked out once per row object and kept
in `Row.scans`."""

from collections.abc import Iterator

from .kinds import SeatKind, is_plain
from .picks import Request, Weights
from .room import Room, Row
from .scans import Block, Runs, ScanFilter, Window


def _by_score(block: Block) -> float:
    return block.rounded


class RowReader:
    """The rows of `room` as one look of one request reads them."""

    def __init__(self, room: Room, request: Request, kind: SeatKind, weights: Weights) -> None:
        self.room = room
        self.request = request
        self.kind = kind
        self.weights = weights
        self.filter = ScanFilter(kind.name, request.category, request.section)

    def blocks(self, index: int, orphans_allowed: bool) -> list[Block]:
        """The blocks of the request's size in row `index`, best first, scored."""
        row, count = self.room.rows[index], self.request.count
        key = (self.filter, count, orphans_allowed, self.weights)
        if (blocks := row.scans.blocks.get(key)) is None:
            row_term = self.weights.row * row.rank
            blocks = []
            for window in self.windows(index, count, orphans_allowed):
                score = row_term + window.centre + window.extra
                seats = row.ids[window.start : window.start + count]
                blocks.append(
                    Block(
                        round(score, 9),
                        score,
                        seats,
                        window.orphans,
                        window.wheelchairs,
                        window.companions,
                    )
                )
            blocks.sort(key=_by_score)
            row.scans.blocks[key] = blocks
        return blocks

    def longest(self, index: int) -> int:
        """The length of the longest run of usable seats in row `index`."""
        return self._runs(index).longest

    def _runs(self, index: int) -> Runs:
        """The runs of seats side by side in row `index` that this kind of seat and the filter
        allow, along the row."""
        row = self.room.rows[index]
        if (read := row.scans.runs.get(self.filter)) is None:
            request, admits = self.request, self.kind.admits
            runs: list[tuple[int, int]] = []
            if request.section in (None, row.section) and any(row.free):
                first = None
                for position, seat in enumerate(row.seats):
                    usable = (
                        seat.free
                        and (request.category is None or seat.category == request.category)
                        and admits(seat)
                    )
                    if usable and first is not None and row.joined[position - 1]:
                        continue
                    if first is not None:
                        runs.append((first, position - 1))
                    first = position if usable else None
                if first is not None:
                    runs.append((first, len(row.seats) - 1))
            read = Runs(runs, max((last - first + 1 for first, last in runs), default=0))
            row.scans.runs[self.filter] = read
        return read

    def windows(self, index: int, size: int, orphans_allowed: bool) -> list[Window]:
        """The blocks of `size` usable seats side by side in row `index`, along the row; only
        those that strand nobody unless `orphans_allowed`."""
        if size > self.longest(index):
            return []
        row = self.room.rows[index]
        key = (self.filter, size, orphans_allowed, self.weights)
        if (windows := row.scans.windows.get(key)) is None:
            windows = row.scans.windows[key] = list(self._scan(row, index, size, orphans_allowed))
        return windows

    def _scan(self, row: Row, index: int, size: int, orphans_allowed: bool) -> Iterator[Window]:
        joined, free, along, ids, seats = row.joined, row.free, row.along, row.ids, row.seats
        weights, row_centre = self.weights, row.centre
        counted = self.kind.admits is not is_plain  # plain seats are neither of the two kinds
        last = len(seats) - 1
        starts = (
            start
            for first, final in self._runs(index).runs
            for start in range(first, final - size + 2)
        )
        for start in starts:
            end = start + size - 1
            orphans = ()
            before = start - 1
            if (
                before >= 0
                and joined[before]
                and free[before]
                and not (before > 0 and joined[before - 1] and free[before - 1])
            ):
                orphans = (ids[before],)
            after = end + 1
            if (
                after <= last
                and joined[end]
                and free[after]
                and not (after < last and joined[after] and free[after + 1])
            ):
                orphans += (ids[after],)
            if orphans and not orphans_allowed:
                continue
            wheelchairs = companions = 0
            if counted:
                block = seats[start : end + 1]
                wheelchairs = sum(seat.accessible for seat in block)
                companions = sum(seat.companion and not seat.accessible for seat in block)
                if self.kind.companions_beside and not _companions_beside(row, start, end):
                    continue
            middle = (along[start] + along[end]) / 2
            extra = weights.orphan * len(orphans) + weights.accessible_use * (
                wheelchairs + companions
            )
            if weights.aisle and (seats[start].aisle or seats[end].aisle):
                extra -= weights.aisle
            yield Window(
                start=start,
                centre=weights.centre * abs(middle - row_centre) / row.spacing,
                extra=extra,
                orphans=orphans,
                wheelchairs=wheelchairs,
                companions=companions,
            )


def _companions_beside(row: Row, start: int, end: int) -> bool:
    """Whether each companion seat of seats `start`..`end` has a wheelchair space beside it
    among them."""
    seats = row.seats
    for position in range(start, end + 1):
        if seats[position].companion and not seats[position].accessible:
            near = [p for p in row.beside(position) if start <= p <= end]
            if not any(seats[p].accessible for p in near):
                return False
    return True
