"""Best available as properties: on any small room, whatever the request, mode and seed."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reservations.seating.hold_rules import (
    OrphanMode,
    check_orphans,
    companions_without_accessible,
    orphan_seats_left,
)
from reservations.seating.picker import Pick, Request, best_available, candidates
from reservations.seating.room import Room, SeatInfo

from .drawing import room

# No example database (as reservations/tests does): a run leaves no .hypothesis behind.
PROPERTY = settings(database=None, deadline=None, max_examples=200)

SECTIONS = ["Stalls", "Circle"]
# Each room mixes its seats from one palette: mostly free, mostly sold, or rich in wheelchair
# spaces (W, w when taken) and companion seats (C); `|` is an aisle.
PALETTES = ["......X|", "....XXXWCw|", ".XXXX", "WCCW.Xw|"]


@st.composite
def rooms(draw, palettes=PALETTES, longest=14) -> list[str]:
    palette = draw(st.sampled_from(palettes))
    lines = []
    for number in range(draw(st.integers(1, 7))):
        section = draw(st.sampled_from(SECTIONS))
        category = draw(st.sampled_from([1, 2]))
        seats = "".join(draw(st.lists(st.sampled_from(palette), min_size=1, max_size=longest)))
        lines.append(f"{section}/R{number}@{category}: {seats}")
    return lines


@st.composite
def requests(draw, most=6, accessible=None) -> Request:
    """Any request, or (`accessible` True) only requests for wheelchair spaces: these ask for
    at most three seats, as parties with a wheelchair user do."""
    if draw(st.booleans()) if accessible is None else accessible:
        count = draw(st.integers(1, 3))
        wheelchairs = draw(st.integers(1, count))
    else:
        count, wheelchairs = draw(st.integers(1, most)), 0
    return Request(
        count=count,
        category=draw(st.sampled_from([None, None, 1, 2])),
        section=draw(st.sampled_from([None, None, *SECTIONS])),
        accessible=wheelchairs,
    )


@st.composite
def sold_to_splits(draw) -> tuple[list[str], Request]:
    """A request for `count` seats and a room where no row has that many free side by side."""
    count = draw(st.integers(2, 4))
    lines = []
    for number in range(draw(st.integers(2, 7))):
        runs = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=8))
        lines.append(f"R{number}: " + "X".join("." * run for run in runs))
    return lines, Request(count=count)


# Many choices of near scores over many rows, for the search's early stop to get wrong.
many_choices = st.one_of(
    st.tuples(
        rooms(palettes=["......X|", ".X", ".XX"], longest=24),
        requests(most=4, accessible=False),
    ),
    sold_to_splits(),
)
wheelchair_rooms = rooms(palettes=["WCC.X|", "CWC.X", "WC"])


modes = st.sampled_from(list(OrphanMode))
seeds = st.integers(0, 2**32)


def choices(pick: Pick) -> list[tuple[int, ...]]:
    return [pick.seats, *pick.alternatives]


def plain_blocks_stranding_nobody(plan: Room, request: Request) -> list[tuple[int, ...]]:
    """By brute force: every `count` seats side by side, free, in the filter, neither
    wheelchair nor companion seats, that leave no seat alone."""

    def fits(seat: SeatInfo) -> bool:
        return (
            seat.free
            and not seat.accessible
            and not seat.companion
            and request.section in (None, seat.section)
            and request.category in (None, seat.category)
        )

    found = []
    for row in plan.rows:
        for start in range(len(row.seats) - request.count + 1):
            block = row.seats[start : start + request.count]
            ids = tuple(seat.id for seat in block)
            side_by_side = all(row.joined[start : start + request.count - 1])
            if side_by_side and all(map(fits, block)) and not orphan_seats_left(plan, ids):
                found.append(ids)
    return found


@PROPERTY
@given(rooms(), requests(), modes, seeds)
def test_every_choice_is_count_distinct_free_seats_inside_the_filter(lines, request, mode, seed):
    plan = room(*lines)
    pick = best_available(plan, request, orphan_mode=mode, seed=seed)
    for choice in choices(pick) if pick else []:
        seats = [plan.seat(seat_id) for seat_id in choice]
        assert len(choice) == len(set(choice)) == request.count
        assert all(seat.free for seat in seats)
        assert all(request.section in (None, seat.section) for seat in seats)
        assert all(request.category in (None, seat.category) for seat in seats)


@PROPERTY
@given(rooms(), requests(), modes, seeds)
def test_a_together_choice_is_side_by_side_and_a_split_one_is_over_two_adjacent_rows(
    lines, request, mode, seed
):
    plan = room(*lines)
    pick = best_available(plan, request, orphan_mode=mode, seed=seed)
    for choice in choices(pick) if pick else []:
        places = sorted(plan.places[seat_id] for seat_id in choice)
        rows = sorted({index for index, _ in places})
        runs = [
            [position for index, position in places if index == row_index] for row_index in rows
        ]
        for row_index, positions in zip(rows, runs, strict=True):
            joined = plan.rows[row_index].joined
            assert positions == list(range(positions[0], positions[-1] + 1))
            assert all(joined[positions[0] : positions[-1]])
        if pick.together:
            assert len(rows) == 1
        else:
            front, back = (plan.rows[index] for index in rows)
            assert front.section == back.section
            assert not [
                row for row in plan.rows[rows[0] + 1 : rows[1]] if row.section == front.section
            ]


@PROPERTY
@given(rooms(), requests(), seeds)
def test_strict_mode_never_strands_a_seat(lines, request, seed):
    plan = room(*lines)
    pick = best_available(plan, request, orphan_mode="strict", seed=seed)
    for choice in choices(pick) if pick else []:
        assert orphan_seats_left(plan, choice) == []
        assert check_orphans(plan, choice, "strict").ok


@PROPERTY
@given(rooms(), requests(), modes, seeds)
def test_the_same_seed_gives_the_same_pick(lines, request, mode, seed):
    first = best_available(room(*lines), request, orphan_mode=mode, seed=seed)
    again = best_available(room(*lines), request, orphan_mode=mode, seed=seed)
    assert first == again


@PROPERTY
@given(many_choices, modes, seeds, st.integers(1, 4))
def test_stopping_early_gives_the_first_choices_of_the_whole_list(case, mode, seed, limit):
    """The search stops once rows further back cannot change the first `limit` choices: they
    are the ones a search of every row finds."""
    lines, request = case
    plan = room(*lines)
    first = candidates(plan, request, orphan_mode=mode, seed=seed, limit=limit)
    every = candidates(plan, request, orphan_mode=mode, seed=seed, limit=10_000)
    assert first == every[:limit]


@PROPERTY
@given(rooms(), requests(), modes, seeds, st.floats(0, 360))
def test_turning_the_room_and_its_stage_on_the_plan_changes_no_score(
    lines, request, mode, seed, turn
):
    stage = (6.0, -2.0)
    plain = candidates(room(*lines, stage=stage), request, orphan_mode=mode, seed=seed)
    turned = candidates(room(*lines, stage=stage, turn=turn), request, orphan_mode=mode, seed=seed)
    assert [(choice.together, len(choice.orphans)) for choice in plain[:1]] == [
        (choice.together, len(choice.orphans)) for choice in turned[:1]
    ]
    assert [choice.score for choice in plain[:1]] == pytest.approx(
        [choice.score for choice in turned[:1]], abs=1e-6
    )


@PROPERTY
@given(st.one_of(rooms(), wheelchair_rooms), requests(), modes, seeds)
def test_wheelchair_spaces_and_companion_seats_go_together_as_asked(lines, request, mode, seed):
    plan = room(*lines)
    pick = best_available(plan, request, orphan_mode=mode, seed=seed)
    for choice in choices(pick) if pick else []:
        seats = [plan.seat(seat_id) for seat_id in choice]
        assert companions_without_accessible(plan.seats, choice) == []
        if request.accessible:
            assert sum(seat.accessible for seat in seats) == request.accessible
            companions = [seat for seat in seats if not seat.accessible]
            assert all(seat.companion for seat in companions)
            for seat in companions:
                row, position = plan.place(seat.id)
                beside = [row.seats[near] for near in row.beside(position)]
                assert any(near.accessible and near.id in choice for near in beside)


@PROPERTY
@given(rooms(), requests(), modes, seeds)
def test_a_free_block_that_strands_nobody_is_never_passed_over(lines, request, mode, seed):
    """Not for a split, nor for nothing, nor (in lenient mode) for a block that strands a seat,
    nor for wheelchair and companion seats in a general request."""
    if request.accessible:
        return
    plan = room(*lines)
    pick = best_available(plan, request, orphan_mode=mode, seed=seed)
    if not plain_blocks_stranding_nobody(plan, request):
        return
    assert pick is not None
    assert pick.together
    assert not any(plan.seat(seat_id).accessible for seat_id in pick.seats)
    assert not any(plan.seat(seat_id).companion for seat_id in pick.seats)
    if mode != OrphanMode.OFF:
        assert orphan_seats_left(plan, pick.seats) == []


@PROPERTY
@given(rooms(), st.data())
def test_a_hold_check_refuses_what_strands_a_seat_and_suggests_what_does_not(lines, data):
    plan = room(*lines)
    assume(plan.rows)
    row = data.draw(st.sampled_from(plan.rows))
    free = [seat.id for seat in row.seats if seat.free]
    assume(free)
    taking = set(data.draw(st.lists(st.sampled_from(free), min_size=1, unique=True)))
    stranded = orphan_seats_left(plan, taking)
    strict = check_orphans(plan, taking, "strict")
    lenient = check_orphans(plan, taking, "lenient")
    assert strict.ok == (not stranded)
    assert check_orphans(plan, taking, "off").ok
    if stranded:
        assert strict.orphan in stranded
        assert lenient.orphan in stranded
    for suggestion in (strict.suggestion, lenient.suggestion):
        if suggestion is not None:
            assert len(suggestion) == len(taking)
            assert orphan_seats_left(plan, suggestion) == []
    assert lenient.ok == (not stranded or lenient.suggestion is None)


@PROPERTY
@given(
    rooms(),
    st.lists(requests(), min_size=1, max_size=4),
    st.sets(st.integers(0, 97)),
    st.sampled_from(list(OrphanMode)),
)
def test_a_room_changed_after_picks_picks_as_the_room_built_afresh(lines, wishes, flips, mode):
    """The rows keep what the picker worked out about them (Row.scans) for the next request:
    after picks on a room and a change to some of its seats, every pick is the one a room
    built afresh with those seats gives."""
    before = room(*lines)
    for wish in wishes:  # the rows remember their scans
        candidates(before, wish, orphan_mode=mode)
    seats = list(before.seats)
    changes = {seats[n].id: not seats[n].free for n in flips if n < len(seats)}
    after = before.with_changes(changes)
    afresh = Room.from_seats(seat._replace(free=changes.get(seat.id, seat.free)) for seat in seats)
    for wish in wishes:
        assert candidates(after, wish, orphan_mode=mode) == candidates(
            afresh, wish, orphan_mode=mode
        )
