"""The search for the best seats of one look at the room: blocks together, merged over the
rows from the stage; splits over two adjacent rows, pairs of rows from the stage. Each stops as
soon as no later row or pair could change its answer."""

import bisect
import heapq
import random
from collections.abc import Iterator

from .kinds import SeatKind
from .picks import Candidate, Request, Weights
from .room import Room
from .row_reader import RowReader
from .scans import Block

# A split's two parts overlap along the front row, or their nearest seats are at most this many
# seats apart along it (1 for two seats diagonally behind each other).
SPLIT_REACH = 1.5


class Search:
    """The cascade's steps for one kind of seat, sharing what they find out about the rows."""

    def __init__(
        self,
        room: Room,
        request: Request,
        kind: SeatKind,
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
        self.reader = RowReader(room, request, kind, weights)
        self.along_front: dict[tuple[int, int], tuple[list[float], list[float]]] = {}

    def together(self, orphans_allowed: bool) -> list[Candidate]:
        """Blocks, best first: each row's blocks in score order (kept with the row), merged
        over the rows from the stage, a row joining once its rank could tie with the next
        block; stopped as soon as `limit` choices that share no seat are found."""
        rows, weights, valid = self.room.rows, self.weights, self.kind.valid
        merged: list[tuple[float, int, int]] = []  # (score rounded, row index, block number)
        blocks_of: dict[int, list[Block]] = {}
        joined = 0  # rows joined so far, from the stage
        chosen: list[Candidate] = []
        taken: set[int] = set()
        while len(chosen) < self.limit:
            # No block of a row scores less than its rank's term less the aisle's.
            while joined < len(rows) and (
                not merged
                or round(weights.row * rows[joined].rank - weights.aisle, 9) <= merged[0][0]
            ):
                blocks = blocks_of[joined] = self.reader.blocks(joined, orphans_allowed)
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
        longest_f, longest_b = self.reader.longest(front), self.reader.longest(back)
        for size_f in range(max(1, count - longest_b), min(count - 1, longest_f) + 1):
            size_b = count - size_f
            parts_f = self.reader.windows(front, size_f, orphans_allowed)
            parts_b = self.reader.windows(back, size_b, orphans_allowed)
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


def _span(at: list[float], start: int, size: int) -> tuple[float, float]:
    """From where to where along an axis the `size` seats from `start` reach."""
    first, last = at[start], at[start + size - 1]
    return (first, last) if first <= last else (last, first)


class _Shortlist:
    """Scored splits, kept until the best `limit` of them that share no seat are known (blocks
    together are merged row by row instead: `Search.together`).

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
