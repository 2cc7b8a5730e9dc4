"""Best available: the best N seats together in one click.

The rule (docs/BEST_AVAILABLE.md says it at length). A *block* is N free seats side by side in
one row that pass the request's filter (price category, section). Its score, lower is better:

    weights.row            x the row's rank by distance from the stage (0 for the nearest)
  + weights.centre         x seats between the block's centre and the centre of the whole row
                             (counted along the row, seat to seat, free seats or not)
  + weights.orphan         x free seats the block would leave alone beside it (orphans)
  - weights.aisle          when the block ends on an aisle seat (0 by default: no preference)
  + weights.accessible_use x wheelchair or companion seats a general request falls back on

The first of these steps that finds anything gives the answer:

1. a block that strands no seat;
2. a block that strands one: never in ``strict`` mode, in ``lenient`` mode only now that no
   block avoids it; in ``off`` mode steps 1 and 2 are one, and an orphan only costs its weight;
3. a *split*: two parts in two adjacent rows of a section, one behind the other, scored as the
   seat-weighted mean of the two parts plus ``weights.split_offset`` per seat between their
   centres. The buyer is told: ``together`` is false. Strict mode strands no seat here either,
   and lenient mode only when no split avoids it.

A general request (``accessible=0``) keeps wheelchair and companion seats out of all three
steps, and only when they find nothing does it look again with them (a companion seat only
with a wheelchair space in the same pick). A request for ``accessible=K`` of N seats looks only
at wheelchair spaces and companion seats: K spaces, and N - K companion seats each side by side
with one of the spaces.

Equal scores are ordered by a ``random.Random(seed)``, so the same seed gives the same answer.
``candidates`` gives the best few choices of the step that answered, sharing no seat, for the
caller that finds its first choice taken under contention; ``best_available`` is the first of
them, with up to three of the others as alternatives.
"""

import bisect
import heapq
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .layout import Room, Row, SeatInfo
from .rules import OrphanMode

# A split's two parts overlap along the front row, or their nearest seats are at most this many
# seats apart along it (1 for two seats diagonally behind each other).
SPLIT_REACH = 1.5


@dataclass(frozen=True, slots=True)
class Request:
    """`count` seats, optionally of one price `category` or in one `section`; `accessible` of
    them wheelchair spaces (the others then companion seats)."""

    count: int
    category: int | None = None
    section: str | None = None
    accessible: int = 0

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("count must be at least 1")
        if not 0 <= self.accessible <= self.count:
            raise ValueError("accessible must be between 0 and count")


@dataclass(frozen=True, slots=True)
class Weights:
    """The score's terms, in rows: a seat off centre costs a fifth of a row by default."""

    row: float = 1.0
    centre: float = 0.2
    orphan: float = 3.0
    aisle: float = 0.0
    split_offset: float = 0.5
    accessible_use: float = 1.0

    def __post_init__(self) -> None:
        # The search stops early on bounds that only hold for weights of zero or more.
        if min(self.row, self.centre, self.orphan, self.aisle, self.split_offset) < 0:
            raise ValueError("weights cannot be negative")
        if self.accessible_use < 0:
            raise ValueError("weights cannot be negative")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A choice of seats (in row order; a split's front part first), what it scored and which
    free seats it would leave alone."""

    seats: tuple[int, ...]
    together: bool
    score: float
    orphans: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Pick:
    """What the buyer is offered: `together` is false for a split over two rows."""

    seats: tuple[int, ...]
    together: bool
    alternatives: tuple[tuple[int, ...], ...]


def best_available(
    room: Room,
    request: Request,
    *,
    orphan_mode: OrphanMode | str,
    weights: Weights = Weights(),
    seed: int = 0,
) -> Pick | None:
    """The best seats for `request`, with up to three other choices sharing none of them; None
    when nothing fits (the endpoint's 409 ``no_block``)."""
    found = candidates(room, request, orphan_mode=orphan_mode, weights=weights, seed=seed, limit=4)
    if not found:
        return None
    first, *others = found
    return Pick(
        seats=first.seats,
        together=first.together,
        alternatives=tuple(other.seats for other in others),
    )


def candidates(
    room: Room,
    request: Request,
    *,
    orphan_mode: OrphanMode | str,
    weights: Weights = Weights(),
    seed: int = 0,
    limit: int = 8,
) -> list[Candidate]:
    """The best `limit` choices for `request`, best first, no two sharing a seat, all from the
    first step of the cascade that finds any (so all together, or all split). Empty when
    nothing fits.

    Under contention the caller tries them in order and, when all are gone, asks again with a
    fresh room: a later step may be allowed only once the earlier ones have nothing."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    mode = OrphanMode(orphan_mode)
    rng = random.Random(seed)
    for kind in _kinds(room, request):
        search = _Search(room, request, kind, weights, limit, rng)
        for together, orphans_allowed in _STEPS[mode]:
            found = search.together(orphans_allowed) if together else search.split(orphans_allowed)
            if found:
                return found
    return []


# Per mode, the cascade's steps: (together, may strand a seat).
_STEPS = {
    OrphanMode.OFF: [(True, True), (False, True)],
    OrphanMode.LENIENT: [(True, False), (True, True), (False, False), (False, True)],
    OrphanMode.STRICT: [(True, False), (False, False)],
}


@dataclass(frozen=True, slots=True)
class _Kind:
    """Which seats one look at the room may use, and which mixes of them make a valid pick."""

    name: str  # what it admits: the key of what the rows keep of its scans (Row.scans)
    admits: Callable[[SeatInfo], bool]
    # (wheelchair spaces, companion seats) of a whole pick -> is it a valid pick?
    valid: Callable[[int, int], bool]
    # Each companion seat must be side by side with a wheelchair space of its own part.
    companions_beside: bool = False


def _kinds(room: Room, request: Request) -> Iterator[_Kind]:
    """The looks at the room a request takes, in order. A general request looks a second time
    only after the first found nothing, and only when a free wheelchair or companion seat
    could make the second look any different."""
    if request.accessible:
        wanted = request.accessible
        yield _Kind(
            name="accessible",
            admits=lambda seat: seat.accessible or seat.companion,
            valid=lambda wheelchairs, _: wheelchairs == wanted,
            companions_beside=True,
        )
        return
    yield _Kind(name="plain", admits=_plain, valid=_any_mix)
    if any(seat.free and not _plain(seat) for seat in room.seats):
        yield _Kind(name="any", admits=lambda seat: True, valid=_companions_accompanied)


def _plain(seat: SeatInfo) -> bool:
    return not seat.accessible and not seat.companion


def _any_mix(wheelchairs: int, companions: int) -> bool:
    return True


def _companions_accompanied(wheelchairs: int, companions: int) -> bool:
    return wheelchairs > 0 or companions == 0


@dataclass(slots=True)
class _Window:
    """Seats `start`..`start + size - 1` of a row: one block, or one part of a split. `centre`
    is its centre term, `extra` its orphan, aisle and accessible-use terms."""

    start: int
    centre: float
    extra: float
    orphans: tuple[int, ...]
    wheelchairs: int
    companions: int


class _Block(NamedTuple):
    """A block of a row, scored as `together` ranks it."""

    rounded: float  # the score to 9 places: equal scores tie, whatever the float's last bits
    score: float
    seats: tuple[int, ...]
    orphans: tuple[int, ...]
    wheelchairs: int
    companions: int


def _by_score(block: _Block) -> float:
    return block.rounded


class _Search:
    """The cascade's steps for one kind of seat, sharing what they find out about the rows."""

    def __init__(
        self,
        room: Room,
        request: Request,
        kind: _Kind,
        weights: Weights,
        limit: int,
        rng: random.Random,
    ) -> None:
        self.room = room
        self.request = request
        self.kind = kind
        self.weights = weights
        self.limit = limit
        self.rng = rng
        # What a row's scans depend on besides the row (Row.scans keeps them by it).
        self.filter = (kind.name, request.category, request.section)
        self.along_front: dict[tuple[int, int], tuple[list[float], list[float]]] = {}

    def together(self, orphans_allowed: bool) -> list[Candidate]:
        """Blocks, best first: each row's blocks in score order (kept with the row), merged
        over the rows from the stage, a row joining once its rank could tie with the next
        block; stopped as soon as `limit` choices that share no seat are found."""
        rows, weights, valid = self.room.rows, self.weights, self.kind.valid
        merged: list[tuple[float, int, int]] = []  # (score rounded, row index, block number)
        blocks_of: dict[int, list[_Block]] = {}
        joined = 0  # rows joined so far, from the stage
        chosen: list[Candidate] = []
        taken: set[int] = set()
        while len(chosen) < self.limit:
            # No block of a row scores less than its rank's term less the aisle's.
            while joined < len(rows) and (
                not merged
                or round(weights.row * rows[joined].rank - weights.aisle, 9) <= merged[0][0]
            ):
                blocks = blocks_of[joined] = self._blocks(joined, orphans_allowed)
                if blocks:
                    heapq.heappush(merged, (blocks[0].rounded, joined, 0))
                joined += 1
            if not merged:
                break
            # Every block of this score, from every row that can have one: then the seed
            # orders them, and the first that share no seat with earlier choices are taken.
            rounded, tied = merged[0][0], []
            while merged and merged[0][0] == rounded:
                _, index, number = heapq.heappop(merged)
                blocks = blocks_of[index]
                block = blocks[number]
                if valid(block.wheelchairs, block.companions):
                    tied.append(block)
                if number + 1 < len(blocks):
                    heapq.heappush(merged, (blocks[number + 1].rounded, index, number + 1))
            if len(tied) > 1:
                self.rng.shuffle(tied)
            for block in tied:
                if taken.isdisjoint(block.seats):
                    taken.update(block.seats)
                    chosen.append(Candidate(block.seats, True, block.score, block.orphans))
                    if len(chosen) == self.limit:
                        break
        return chosen

    def _blocks(self, index: int, orphans_allowed: bool) -> list["_Block"]:
        """The blocks of the request's size in row `index`, best first, scored: worked out
        once per row object, as its windows are."""
        row, count = self.room.rows[index], self.request.count
        key = (*self.filter, count, orphans_allowed, self.weights, "blocks")
        if (blocks := row.scans.get(key)) is None:
            row_term = self.weights.row * row.rank
            blocks = []
            for window in self._windows(index, count, orphans_allowed):
                score = row_term + window.centre + window.extra
                seats = row.ids[window.start : window.start + count]
                blocks.append(
                    _Block(
                        round(score, 9),
                        score,
                        seats,
                        window.orphans,
                        window.wheelchairs,
                        window.companions,
                    )
                )
            blocks.sort(key=_by_score)
            row.scans[key] = blocks
        return blocks

    def split(self, orphans_allowed: bool) -> list[Candidate]:
        """Two parts in adjacent rows of a section, pairs of rows from the stage."""
        weights = self.weights
        shortlist = _Shortlist(self.limit, self.rng)
        # No split of two rows scores less than its row term with one seat at the back, less
        # the aisle's term for each part.
        count, rows = self.request.count, self.room.rows
        pairs = sorted(
            (
                weights.row * ((count - 1) * rows[front].rank + rows[back].rank) / count
                - 2 * weights.aisle,
                front,
                back,
            )
            for front, back in self._adjacent_rows()
        )
        for number, (bound, front, back) in enumerate(pairs):
            self._pair(front, back, orphans_allowed, shortlist)
            following = pairs[number + 1][0] if number + 1 < len(pairs) else bound
            if following > bound and shortlist.settled(following):
                break
        return shortlist.chosen()

    def _adjacent_rows(self) -> Iterator[tuple[int, int]]:
        """(front, back) row indexes, each pair next to each other in one section."""
        last_of_section: dict[str, int] = {}
        for index, row in enumerate(self.room.rows):
            if row.section in last_of_section:
                yield last_of_section[row.section], index
            last_of_section[row.section] = index

    def _pair(self, front: int, back: int, orphans_allowed: bool, shortlist: "_Shortlist") -> None:
        count, weights = self.request.count, self.weights
        row_f, row_b = self.room.rows[front], self.room.rows[back]
        spacing = (row_f.spacing + row_b.spacing) / 2
        reach = SPLIT_REACH * max(row_f.spacing, row_b.spacing)
        longest_f, longest_b = self._longest(front), self._longest(back)
        for size_f in range(max(1, count - longest_b), min(count - 1, longest_f) + 1):
            size_b = count - size_f
            parts_f = self._windows(front, size_f, orphans_allowed)
            parts_b = self._windows(back, size_b, orphans_allowed)
            if not parts_f or not parts_b:
                continue
            at_f, at_b = self._along_front(front, back)
            spans_b = [_span(at_b, part.start, size_b) for part in parts_b]
            lows, highs = [low for low, _ in spans_b], [high for _, high in spans_b]
            # Along the front row's axis the back row's parts come in order, unless the two
            # rows turn away from each other: then every part is compared.
            in_order = lows == sorted(lows) and highs == sorted(highs)
            rank = (size_f * row_f.rank + size_b * row_b.rank) / count
            for part_f in parts_f:
                low_f, high_f = _span(at_f, part_f.start, size_f)
                nearby = (
                    range(
                        bisect.bisect_left(highs, low_f - reach),
                        bisect.bisect_right(lows, high_f + reach),
                    )
                    if in_order
                    else range(len(parts_b))
                )
                for number in nearby:
                    (low_b, high_b), part_b = spans_b[number], parts_b[number]
                    if max(low_f, low_b) - min(high_f, high_b) > reach:
                        continue
                    wheelchairs = part_f.wheelchairs + part_b.wheelchairs
                    if not self.kind.valid(wheelchairs, part_f.companions + part_b.companions):
                        continue
                    offset = abs(low_f + high_f - low_b - high_b) / 2
                    score = (
                        weights.row * rank
                        + (size_f * part_f.centre + size_b * part_b.centre) / count
                        + part_f.extra
                        + part_b.extra
                        + weights.split_offset * offset / spacing
                    )
                    seats = (
                        row_f.ids[part_f.start : part_f.start + size_f]
                        + row_b.ids[part_b.start : part_b.start + size_b]
                    )
                    shortlist.add(score, seats, part_f.orphans + part_b.orphans)

    def _along_front(self, front: int, back: int) -> tuple[list[float], list[float]]:
        """Where the seats of both rows are along the front row's axis, so that a part in the
        back row can be put behind one in the front row."""
        if (front, back) not in self.along_front:
            axis = self.room.rows[front].axis
            self.along_front[front, back] = (
                self.room.rows[front].projected(axis),
                self.room.rows[back].projected(axis),
            )
        return self.along_front[front, back]

    def _longest(self, index: int) -> int:
        """The length of the longest run of usable seats in row `index`."""
        return self._read(index)[1]

    def _runs(self, index: int) -> list[tuple[int, int]]:
        """The first and last positions of each run of seats side by side in row `index` that
        this kind of seat and the filter allow, along the row."""
        return self._read(index)[0]

    def _read(self, index: int) -> tuple[list[tuple[int, int]], int]:
        """(runs, the longest run's length) of row `index`, read once per row object."""
        row = self.room.rows[index]
        if (read := row.scans.get(self.filter)) is None:
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
            read = (runs, max((last - first + 1 for first, last in runs), default=0))
            row.scans[self.filter] = read
        return read

    def _windows(self, index: int, size: int, orphans_allowed: bool) -> list[_Window]:
        """The blocks of `size` usable seats side by side in row `index`, along the row; only
        those that strand nobody unless `orphans_allowed`."""
        if size > self._longest(index):
            return []
        row = self.room.rows[index]
        key = (*self.filter, size, orphans_allowed, self.weights)
        if (windows := row.scans.get(key)) is None:
            windows = row.scans[key] = list(self._scan(row, index, size, orphans_allowed))
        return windows

    def _scan(self, row: Row, index: int, size: int, orphans_allowed: bool) -> Iterator[_Window]:
        joined, free, along, ids, seats = row.joined, row.free, row.along, row.ids, row.seats
        weights, row_centre = self.weights, row.centre
        counted = self.kind.admits is not _plain  # plain seats are neither of the two kinds
        last = len(seats) - 1
        starts = (
            start for first, final in self._runs(index) for start in range(first, final - size + 2)
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
            yield _Window(
                start=start,
                centre=weights.centre * abs(middle - row_centre) / row.spacing,
                extra=extra,
                orphans=orphans,
                wheelchairs=wheelchairs,
                companions=companions,
            )


def _span(at: list[float], start: int, size: int) -> tuple[float, float]:
    """From where to where along an axis the `size` seats from `start` reach."""
    first, last = at[start], at[start + size - 1]
    return (first, last) if first <= last else (last, first)


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


class _Shortlist:
    """Scored splits, kept until the best `limit` of them that share no seat are known (blocks
    together are merged row by row instead: `_Search.together`).

    Each choice draws a random tie-breaker when it is added, in the search's fixed order, so
    equal scores come out in an order the seed decides."""

    def __init__(self, limit: int, rng: random.Random) -> None:
        self.limit = limit
        self.rng = rng
        self.items: list[tuple[float, float, tuple[int, ...], tuple[int, ...], float]] = []

    def add(self, score: float, seats: tuple[int, ...], orphans: tuple[int, ...]) -> None:
        self.items.append((round(score, 9), self.rng.random(), seats, orphans, score))

    def chosen(self) -> list[Candidate]:
        self.items.sort()
        taken: set[int] = set()
        chosen = []
        for _, _, seats, orphans, score in self.items:
            if taken.isdisjoint(seats):
                taken.update(seats)
                chosen.append(Candidate(seats, False, score, orphans))
                if len(chosen) == self.limit:
                    break
        return chosen

    def settled(self, bound: float) -> bool:
        """Whether choices scoring `bound` or more can no longer change `chosen()`."""
        if len(self.items) < self.limit:
            return False
        chosen = self.chosen()
        return len(chosen) == self.limit and round(chosen[-1].score, 9) < round(bound, 9)
