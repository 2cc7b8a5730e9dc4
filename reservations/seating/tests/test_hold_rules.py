"""The seating rules of a manual hold: no seat left alone (per orphan mode), no companion seat
without a wheelchair space."""

from reservations.seating.hold_rules import (
    OrphanCheck,
    OrphanMode,
    check_orphans,
    companions_without_accessible,
    lone_free_seats,
    orphan_seats_left,
)

from .drawing import room, seat_ids

# --- orphan_seats_left --------------------------------------------------------------------


def test_a_hold_beside_the_row_end_but_one_strands_the_end_seat():
    plan = room("A: ......")
    assert orphan_seats_left(plan, set(seat_ids(plan, "A2", "A3"))) == list(seat_ids(plan, "A1"))


def test_a_hold_that_leaves_two_or_more_free_on_each_side_strands_nobody():
    plan = room("A: ......")
    assert orphan_seats_left(plan, set(seat_ids(plan, "A3", "A4"))) == []


def test_a_hold_strands_a_seat_between_itself_and_a_taken_seat():
    plan = room("A: X....X")
    taking = set(seat_ids(plan, "A3", "A4"))
    assert orphan_seats_left(plan, taking) == list(seat_ids(plan, "A2", "A5"))


def test_an_aisle_ends_the_row_for_the_seats_beside_it():
    plan = room("A: ..|...")
    assert orphan_seats_left(plan, set(seat_ids(plan, "A4"))) == list(seat_ids(plan, "A3", "A5"))


def test_a_seat_that_was_alone_before_the_hold_is_not_its_doing():
    plan = room("A: X.X...")
    assert orphan_seats_left(plan, set(seat_ids(plan, "A4", "A5"))) == list(seat_ids(plan, "A6"))


def test_orphans_are_counted_row_by_row():
    plan = room("A: ...", "B: ...")
    taking = set(seat_ids(plan, "A2", "B1", "B2"))
    assert orphan_seats_left(plan, taking) == list(seat_ids(plan, "A1", "A3", "B3"))


# --- lone_free_seats ----------------------------------------------------------------------


def test_the_seats_alone_as_the_room_stands_are_counted_aisles_included():
    plan = room("A: X.X..|.X", "B: ...")
    assert lone_free_seats(plan) == list(seat_ids(plan, "A2", "A6"))


# --- check_orphans ------------------------------------------------------------------------


def test_a_hold_that_strands_nobody_is_fine_in_every_mode():
    plan = room("A: ......")
    taking = set(seat_ids(plan, "A3", "A4"))
    for mode in OrphanMode:
        assert check_orphans(plan, taking, mode) == OrphanCheck(ok=True)


def test_with_the_rule_off_a_hold_may_strand_a_seat():
    plan = room("A: ......")
    assert check_orphans(plan, set(seat_ids(plan, "A2", "A3")), "off").ok


def test_strict_refuses_a_hold_that_strands_a_seat_and_suggests_one_that_does_not():
    plan = room("A: ......")
    check = check_orphans(plan, set(seat_ids(plan, "A2", "A3")), "strict")
    assert check == OrphanCheck(
        ok=False, orphan=seat_ids(plan, "A1")[0], suggestion=seat_ids(plan, "A1", "A2")
    )


def test_lenient_refuses_an_avoidable_orphan_and_suggests_shifting_the_block_onto_it():
    plan = room("A: X......X")
    check = check_orphans(plan, set(seat_ids(plan, "A3", "A4")), "lenient")
    assert check == OrphanCheck(
        ok=False, orphan=seat_ids(plan, "A2")[0], suggestion=seat_ids(plan, "A2", "A3")
    )


def test_lenient_allows_an_orphan_no_choice_of_as_many_seats_in_the_row_avoids():
    plan = room("A: XX...XX")
    check = check_orphans(plan, set(seat_ids(plan, "A3", "A4")), "lenient")
    assert check == OrphanCheck(ok=True, orphan=seat_ids(plan, "A5")[0])


def test_strict_refuses_even_an_unavoidable_orphan():
    plan = room("A: XX...XX")
    check = check_orphans(plan, set(seat_ids(plan, "A3", "A4")), "strict")
    assert check == OrphanCheck(ok=False, orphan=seat_ids(plan, "A5")[0])


def test_a_suggestion_keeps_the_seats_chosen_in_other_rows():
    plan = room("A: ......", "B: ......")
    check = check_orphans(plan, set(seat_ids(plan, "A2", "A3", "B3", "B4")), "lenient")
    assert check.suggestion == seat_ids(plan, "A1", "A2", "B3", "B4")


def test_a_suggestion_never_offers_a_wheelchair_or_companion_seat_not_chosen():
    plan = room("A: C..X")
    check = check_orphans(plan, set(seat_ids(plan, "A2")), "lenient")
    assert not check.ok
    assert check.suggestion == seat_ids(plan, "A3")


# --- companions_without_accessible --------------------------------------------------------


def test_a_companion_seat_alone_needs_a_wheelchair_space():
    plan = room("A: CWC..")
    chosen = seat_ids(plan, "A1", "A4")
    assert companions_without_accessible(plan.seats, chosen) == list(seat_ids(plan, "A1"))


def test_a_companion_seat_with_a_wheelchair_space_in_the_choice_is_fine():
    plan = room("A: CWC..")
    chosen = seat_ids(plan, "A1", "A2", "A3")
    assert companions_without_accessible(plan.seats, chosen) == []


def test_a_choice_without_companion_seats_is_fine():
    plan = room("A: CWC..")
    assert companions_without_accessible(plan.seats, seat_ids(plan, "A4", "A5")) == []
