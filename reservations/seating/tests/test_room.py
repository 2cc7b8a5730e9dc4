"""The room as the picker sees it: rows, seats side by side, distance from the stage."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reservations.seating.room import Room, SeatInfo

from .drawing import room, seat_ids


def _seat(seat_id: int, row: str, number: int, x: float, y: float = 0.0) -> SeatInfo:
    return SeatInfo(id=seat_id, section="Floor", row=row, number=number, x=x, y=y)


def test_seats_are_grouped_by_section_and_row_and_ordered_along_the_row():
    seats = [
        _seat(1, "A", 3, x=3.0),
        _seat(2, "A", 1, x=1.0),
        _seat(3, "A", 2, x=2.0),
        SeatInfo(id=4, section="Balcony", row="A", number=1, x=1.0, y=5.0),
    ]
    rows = Room.from_seats(seats).rows
    assert [(row.section, row.name, row.ids) for row in rows] == [
        ("Floor", "A", (2, 3, 1)),
        ("Balcony", "A", (4,)),
    ]


def test_seats_at_the_same_x_are_ordered_by_number():
    seats = [_seat(1, "A", 2, x=1.0), _seat(2, "A", 1, x=1.0), _seat(3, "A", 3, x=2.0)]
    assert Room.from_seats(seats).rows[0].ids == (2, 1, 3)


def test_neighbours_in_the_row_sit_side_by_side():
    (row,) = room("A: .X.").rows
    assert row.joined == (True, True)


def test_an_aisle_gap_in_the_row_breaks_it_into_blocks():
    (row,) = room("A: ..|...").rows
    assert row.joined == (True, False, True, True)


def test_a_gap_is_an_aisle_from_one_point_six_times_the_row_s_median_spacing():
    xs = [0.0, 1.0, 2.0, 3.59, 4.59, 6.19]
    (row,) = Room.from_seats(_seat(n, "A", n, x) for n, x in enumerate(xs, 1)).rows
    assert row.spacing == 1.0
    assert row.joined == (True, True, True, True, False)


def test_the_row_centre_is_the_middle_of_all_its_seats_free_or_not():
    (row,) = room("A: XXXX......").rows
    assert row.centre == 5.5


def test_rows_are_ranked_by_their_mean_distance_from_the_stage_at_the_top_by_default():
    plan = room("C: ......", "B: ......", "A: ......")
    assert [row.name for row in plan.rows] == ["C", "B", "A"]
    assert [row.rank for row in plan.rows] == [0, 1, 2]
    assert plan.stage == (3.5, 0.0)


def test_a_stage_below_the_rows_puts_the_last_drawn_row_first():
    plan = room("C: ......", "B: ......", "A: ......", stage=(3.5, 10.0))
    assert [row.name for row in plan.rows] == ["A", "B", "C"]


def test_rows_at_the_same_distance_share_a_rank():
    seats = [
        SeatInfo(id=1, section="Left", row="A", number=1, x=-5.0, y=1.0),
        SeatInfo(id=2, section="Right", row="A", number=1, x=5.0, y=1.0),
        SeatInfo(id=3, section="Left", row="B", number=1, x=-5.0, y=2.0),
    ]
    plan = Room.from_seats(seats, stage=(0.0, 0.0))
    assert {(row.section, row.name): row.rank for row in plan.rows} == {
        ("Left", "A"): 0,
        ("Right", "A"): 0,
        ("Left", "B"): 1,
    }


def test_a_seat_is_found_by_its_id():
    plan = room("A: ...", "B: ...")
    (b2,) = seat_ids(plan, "B2")
    row, position = plan.place(b2)
    assert (row.name, position) == ("B", 1)
    assert plan.seat(b2).number == 2
    with pytest.raises(KeyError):
        plan.place(999)


def test_two_seats_with_one_id_are_refused():
    with pytest.raises(ValueError):
        Room.from_seats([_seat(1, "A", 1, x=1.0), _seat(1, "A", 2, x=2.0)])


def test_the_drawing_marks_seats_beside_an_aisle_as_aisle_seats():
    plan = room("A: ..|..")
    assert [seat.aisle for seat in plan.seats] == [False, True, True, False]


def test_a_room_without_a_plan_is_laid_out_by_number_and_rows_in_id_order():
    """A grid event's seats all stand at 0, 0: the rows come in layout (id) order."""
    seats = [
        SeatInfo(id=seat_id, section="Floor", row=row, number=number, x=0.0, y=0.0)
        for seat_id, (row, number) in enumerate(
            [(row, number) for row in "AB" for number in range(1, 6)], start=1
        )
    ]
    plan = Room.from_seats(reversed(seats))
    assert [(row.name, row.rank, row.ids) for row in plan.rows] == [
        ("A", 0, (1, 2, 3, 4, 5)),
        ("B", 1, (6, 7, 8, 9, 10)),
    ]
    assert all(all(row.joined) for row in plan.rows)
    assert plan.rows[0].centre == 3.0


def test_a_row_straight_down_the_plan_runs_along_it_and_an_aisle_still_breaks_it():
    ys = [1.0, 2.0, 3.0, 5.0, 6.0]  # an aisle between the third seat and the fourth
    seats = [
        SeatInfo(id=10 + n, section="Side", row="A", number=n, x=40.0, y=y)
        for n, y in zip([5, 4, 3, 2, 1], ys, strict=True)
    ]
    (row,) = Room.from_seats(reversed(seats)).rows
    assert row.axis == pytest.approx((0.0, 1.0))
    assert [seat.number for seat in row.seats] == [5, 4, 3, 2, 1]
    assert row.joined == (True, True, False, True)
    assert row.along == pytest.approx((1.0, 2.0, 3.0, 5.0, 6.0))


def test_a_curved_row_is_measured_seat_to_seat_along_its_arc():
    angles = [math.radians(80 + 5 * n) for n in range(9)]
    seats = [
        SeatInfo(id=n, section="Arc", row="A", number=n, x=20 * math.cos(a), y=20 * math.sin(a))
        for n, a in enumerate(angles, start=1)
    ]
    (row,) = Room.from_seats(seats, stage=(0.0, 0.0)).rows
    chord = math.dist((seats[0].x, seats[0].y), (seats[1].x, seats[1].y))
    assert [seat.number for seat in row.seats] == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert row.spacing == pytest.approx(chord)
    assert all(row.joined)
    assert row.centre == pytest.approx(row.along[4])


def test_a_row_of_one_seat_runs_as_the_longest_row_of_its_section():
    plan = room("A: ....", "B: .", turn=90)
    assert [row.axis for row in plan.rows][1] == pytest.approx(plan.rows[0].axis)


def _free_as(seats: list[SeatInfo], free_ids) -> Room:
    """The room built afresh with exactly `free_ids` free."""
    return Room.from_seats([s._replace(free=s.id in set(free_ids)) for s in seats])


def test_a_room_told_what_changed_is_the_room_built_afresh():
    before = room("A: X..X..", "B: ......", "C: XXXXXX")
    after = room("A: ...XX.", "B: ......", "C: X.XXXX")
    changes = {s.id: s.free for s in after.seats if s.free != before.seat(s.id).free}
    changed = before.with_changes(changes)
    assert changed == after
    assert changed.rows[1] is before.rows[1]  # a row nobody changed is kept as it was


@given(
    st.lists(st.integers(min_value=1, max_value=30), unique=True),
    st.lists(st.integers(min_value=1, max_value=30), unique=True),
)
def test_changing_what_changed_gives_the_room_built_afresh(free_before, free_after):
    seats = [_seat(n, "AB"[n % 2], n, x=float(n), y=float(n % 2)) for n in range(1, 31)]
    before = _free_as(seats, free_before)
    changes = {n: n in free_after for n in set(free_before) ^ set(free_after)}
    changed = before.with_changes(changes)
    assert changed == _free_as(seats, free_after)
    unchanged_rows = {
        index for index, row in enumerate(before.rows) if row.free == changed.rows[index].free
    }
    assert all(before.rows[index] is changed.rows[index] for index in unchanged_rows)
