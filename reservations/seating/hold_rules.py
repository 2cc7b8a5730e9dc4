"""The seating rules a manual hold obeys, and the best-available picker with it.

*Orphan*: a free seat that a hold leaves alone, with no free seat side by side with it: between
two seats that are taken (or not for sale), or between a taken seat and the end of the row (an
aisle ends a row's block as the wall does). Nobody buys it afterwards, since parties come in
twos and more. Only the seats a hold *newly* strands count: a seat that was already alone
before the hold is not its doing, so it cannot make the hold fail.

How hard the rule is, per event (``OrphanMode``):

* ``off``: any hold may strand a seat;
* ``lenient``: a hold may strand a seat only when no other choice of as many seats side by side
  in that row strands none; otherwise it is refused and that choice is suggested;
* ``strict``: a hold that strands a seat is refused (a choice that strands none is suggested
  when the row has one).

*Companion seats* sit beside wheelchair spaces and are sold with them: a reservation with a
companion seat needs a wheelchair space in it too.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from .room import Room, Row, SeatInfo


class OrphanMode(enum.StrEnum):
    OFF = "off"
    LENIENT = "lenient"
    STRICT = "strict"


@dataclass(frozen=True, slots=True)
class OrphanCheck:
    """Whether a hold may go ahead. `orphan` is a seat it would strand (also when lenient mode
    lets it, because no choice in the row avoids it); `suggestion` the seats to hold instead."""

    ok: bool
    orphan: int | None = None
    suggestion: tuple[int, ...] | None = None


def orphan_seats_left(room: Room, taking: Iterable[int]) -> list[int]:
    """The free seats that holding `taking` would leave alone in their rows, in room order.

    Every id must be a seat of `room` (KeyError otherwise)."""
    taking = set(taking)
    orphans: list[int] = []
    for index, positions in _by_row(room, taking).items():
        row = room.rows[index]
        orphans += [row.ids[position] for position in _stranded(row, positions)]
    return orphans


def lone_free_seats(room: Room) -> list[int]:
    """The free seats with no free seat beside them in their row (an aisle parts two seats), in
    room order: what the orphan rule keeps holds from making, counted as the room stands (the
    load tester's figure of a run, loadtest/profiles/best.py)."""
    return [
        row.ids[position]
        for row in room.rows
        for position, free in enumerate(row.free)
        if free and not any(row.free[near] for near in row.beside(position))
    ]


def check_orphans(room: Room, taking: Iterable[int], mode: OrphanMode | str) -> OrphanCheck:
    """May `taking` be held under `mode`? See the module's docstring for the three modes."""
    mode = OrphanMode(mode)
    taking = set(taking)
    if mode is OrphanMode.OFF:
        return OrphanCheck(ok=True)
    unavoidable = None
    for index, positions in _by_row(room, taking).items():
        row = room.rows[index]
        stranded = _stranded(row, positions)
        if not stranded:
            continue
        orphan = row.ids[stranded[0]]
        instead = _orphan_free_choice(row, positions)
        if instead is not None:
            elsewhere = [seat_id for seat_id in taking if room.places[seat_id][0] != index]
            suggestion = elsewhere + [row.ids[position] for position in instead]
            suggestion.sort(key=room.places.__getitem__)
            return OrphanCheck(ok=False, orphan=orphan, suggestion=tuple(suggestion))
        if mode is OrphanMode.STRICT:
            return OrphanCheck(ok=False, orphan=orphan)
        if unavoidable is None:
            unavoidable = orphan
    return OrphanCheck(ok=True, orphan=unavoidable)


def companions_without_accessible(
    seats: Iterable[SeatInfo], chosen_ids: Iterable[int]
) -> list[int]:
    """The companion seats among `chosen_ids` when the choice has no wheelchair space, in id
    order: each of them needs one in the same reservation. Empty when the choice is fine."""
    chosen_ids = set(chosen_ids)
    chosen = [seat for seat in seats if seat.id in chosen_ids]
    if any(seat.accessible for seat in chosen):
        return []
    return sorted(seat.id for seat in chosen if seat.companion)


def _by_row(room: Room, taking: set[int]) -> dict[int, list[int]]:
    """The positions of `taking` in each row it touches, by the row's index, in room order."""
    by_row: dict[int, list[int]] = {}
    for index, position in sorted(room.places[seat_id] for seat_id in taking):
        by_row.setdefault(index, []).append(position)
    return by_row


def _stranded(row: Row, taking: Iterable[int]) -> list[int]:
    """Positions of the free seats of `row` that taking the seats at positions `taking` leaves
    alone, though they had a free neighbour before."""
    taking = set(taking)
    free = row.free
    touched = {near for position in taking for near in row.beside(position)}
    return sorted(
        position
        for position in touched - taking
        if free[position]
        and any(free[near] for near in row.beside(position))
        and not any(free[near] and near not in taking for near in row.beside(position))
    )


def _orphan_free_choice(row: Row, positions: list[int]) -> list[int] | None:
    """As many seats side by side in `row` as `positions`, free or among `positions`, that
    strand nobody: the one sharing most seats with `positions`, then the nearest to them.

    Only plain seats are offered besides the chosen ones: never a wheelchair or companion seat
    the buyer did not pick."""
    size = len(positions)
    chosen = set(positions)
    centre = sum(row.along[p] for p in positions) / size
    open_ = [
        p in chosen or (seat.free and not seat.accessible and not seat.companion)
        for p, seat in enumerate(row.seats)
    ]
    best: tuple[tuple[int, float, int], list[int]] | None = None
    for start in range(len(row.seats) - size + 1):
        block = list(range(start, start + size))
        if not all(open_[p] for p in block) or not all(row.joined[p] for p in block[:-1]):
            continue
        if set(block) == chosen or _stranded(row, block):
            continue
        middle = (row.along[block[0]] + row.along[block[-1]]) / 2
        key = (-len(chosen.intersection(block)), abs(middle - centre), start)
        if best is None or key < best[0]:
            best = (key, block)
    return best[1] if best else None
