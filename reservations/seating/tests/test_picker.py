"""Best available, as specifications: in each room drawn here the right answer is plain to see.

The stage is at the top: row A is the front row.
"""

import pytest

from reservations.seating.hold_rules import OrphanMode, orphan_seats_left
from reservations.seating.picker import Request, Weights, best_available, candidates

from .drawing import labels, room


def best(plan, mode="strict", *, seed=0, weights=None, **request):
    weights = weights or Weights()
    return best_available(plan, Request(**request), orphan_mode=mode, weights=weights, seed=seed)


def picked(plan, mode="strict", **request) -> list[str]:
    found = best(plan, mode, **request)
    assert found is not None
    return labels(plan, found.seats)


# --- where the best block is --------------------------------------------------------------


def test_the_best_block_is_centred_in_the_front_row():
    plan = room("A: ........", "B: ........")
    found = best(plan, count=2)
    assert labels(plan, found.seats) == ["A4", "A5"]
    assert found.together


def test_the_centre_is_the_middle_of_the_whole_row_not_of_its_free_seats():
    plan = room("A: ......XXXX", "B: XXXXXXXXXX")
    assert picked(plan, count=2) == ["A5", "A6"]


def test_a_block_a_little_off_centre_in_front_beats_the_centre_of_the_row_behind():
    plan = room("A: ......XXXXXXX", "B: ..............")
    assert picked(plan, count=2) == ["A5", "A6"]


def test_a_block_far_off_centre_in_front_loses_to_the_centre_of_the_row_behind():
    plan = room("A: ..XXXXXXXXXXX", "B: ..............")
    assert picked(plan, count=2) == ["B7", "B8"]


def test_the_front_row_is_the_one_nearest_the_stage_wherever_the_stage_is():
    plan = room("A: ........", "B: ........", stage=(4.5, 10.0))
    assert picked(plan, count=2) == ["B4", "B5"]


@pytest.mark.parametrize("turn", [90, 180, 37])
def test_a_room_turned_on_the_plan_gets_the_same_seats(turn):
    """Sections stand at any angle around a stage: a row runs along its seats, not along x."""
    plan = room("A: ......XXXXXXX", "B: ..............", stage=(7.5, -1.0), turn=turn)
    assert sorted(picked(plan, count=2)) == ["A5", "A6"]
    plan = room("A: XX..X..X", "B: XXXX..XX", stage=(4.5, -1.0), turn=turn)
    assert sorted(picked(plan, count=4)) == ["A6", "A7", "B5", "B6"]


def test_an_aisle_gap_breaks_a_block():
    plan = room("A: ...|...", "B: ........")
    assert picked(plan, count=4) == ["B3", "B4", "B5", "B6"]


def test_an_aisle_preference_moves_the_block_to_the_aisle_only_when_asked():
    plan = room("A: ........|..")
    assert picked(plan, count=2) == ["A5", "A6"]
    towards_aisle = best(plan, count=2, weights=Weights(aisle=0.5))
    assert labels(plan, towards_aisle.seats) == ["A7", "A8"]


# --- orphans ------------------------------------------------------------------------------

# Row A has three free seats: two of them side by side leave the third alone. Row E, four rows
# back, has room for two in its middle without stranding anyone.
LONE_SEAT_IN_FRONT = ("A: XX...XX", "B: XXXXXXX", "C: XXXXXXX", "D: XXXXXXX", "E: ........")


def test_strict_mode_avoids_stranding_a_seat():
    plan = room(*LONE_SEAT_IN_FRONT)
    found = best(plan, "strict", count=2)
    assert labels(plan, found.seats) == ["E4", "E5"]
    assert orphan_seats_left(plan, found.seats) == []


def test_lenient_mode_avoids_stranding_a_seat_when_a_block_elsewhere_strands_none():
    plan = room(*LONE_SEAT_IN_FRONT)
    assert picked(plan, "lenient", count=2) == ["E4", "E5"]


def test_with_the_rule_off_a_stranded_seat_only_costs_its_weight():
    plan = room(*LONE_SEAT_IN_FRONT)
    front = best(plan, "off", count=2)
    assert labels(plan, front.seats) in (["A3", "A4"], ["A4", "A5"])
    assert len(orphan_seats_left(plan, front.seats)) == 1


def test_lenient_mode_strands_a_seat_when_nothing_else_fits():
    plan = room("A: XX...XX", "B: XXXXXXX")
    found = best(plan, "lenient", count=2)
    assert labels(plan, found.seats) in (["A3", "A4"], ["A4", "A5"])
    assert found.together


def test_strict_mode_would_rather_find_nothing_than_strand_a_seat():
    plan = room("A: XX...XX", "B: XXXXXXX")
    assert best(plan, "strict", count=2) is None


# --- split over two rows ------------------------------------------------------------------


def test_when_no_row_has_the_seats_together_they_are_split_over_two_rows_and_said_so():
    plan = room("A: XX..XXX", "B: XXX..XX")
    found = best(plan, count=4)
    assert labels(plan, found.seats) == ["A3", "A4", "B4", "B5"]
    assert found.together is False


def test_a_split_takes_the_parts_closest_to_each_other():
    plan = room("A: XX..X..X", "B: XXXX..XX")
    assert picked(plan, count=4) == ["A6", "A7", "B5", "B6"]


def test_a_split_keeps_its_parts_one_behind_the_other():
    plan = room("A: ..XXXXXX", "B: XXXXXX..")
    assert best(plan, "off", count=4) is None


def test_a_split_is_over_two_adjacent_rows_only():
    plan = room("A: XX..XXX", "B: XXXXXXX", "C: XXX..XX")
    assert best(plan, "off", count=4) is None


def test_the_best_split_may_be_further_back_than_the_first_two_rows():
    plan = room("A: .XXXXXXXXXXXXXX", "B: .XXXXXX.XXXXXXX", "C: XXXXXXX.XXXXXXX")
    (first,) = candidates(plan, Request(count=2), orphan_mode="strict", limit=1)
    assert labels(plan, first.seats) == ["B8", "C8"]


def test_no_split_is_offered_while_a_block_is_free():
    plan = room("A: ....XXXX", "B: XX..XX..")
    found = candidates(plan, Request(count=4), orphan_mode="strict")
    assert [labels(plan, choice.seats) for choice in found] == [["A1", "A2", "A3", "A4"]]
    assert found[0].together


# --- nothing fits -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(OrphanMode))
def test_nothing_fits_when_no_two_free_seats_are_near_each_other(mode):
    plan = room("A: X.X.X", "B: XXXXX")
    assert best(plan, mode, count=2) is None


def test_nothing_fits_when_the_room_is_too_small():
    assert best(room("A: ...."), "off", count=5) is None


def test_nothing_fits_outside_the_filter():
    plan = room("Balcony/A@2: ......", "Floor/B@1: XXXXXX")
    assert best(plan, "off", count=2, category=1) is None
    assert best(plan, "off", count=2, section="Floor") is None


# --- filters ------------------------------------------------------------------------------


def test_a_category_keeps_the_pick_to_its_price_level():
    plan = room("A@2: ......", "B@1: ......")
    assert picked(plan, count=2, category=1) == ["B3", "B4"]


def test_a_section_keeps_the_pick_to_it():
    plan = room("Stalls/A: ......", "Circle/A: ......")
    found = best(plan, count=2, section="Circle")
    assert {plan.seat(seat_id).section for seat_id in found.seats} == {"Circle"}


# --- wheelchair spaces and companion seats -----------------------------------------------


def test_an_accessible_request_gets_its_wheelchair_spaces_with_companions_beside_them():
    plan = room("A: ..CWWC..", "B: ........")
    assert picked(plan, count=4, accessible=2) == ["A3", "A4", "A5", "A6"]


def test_an_accessible_request_of_one_in_two_gets_a_space_and_its_companion_seat():
    plan = room("A: ..CWWC..", "B: ........")
    assert picked(plan, count=2, accessible=1) in (["A3", "A4"], ["A5", "A6"])


def test_each_companion_seat_must_sit_beside_a_wheelchair_space_of_the_pick():
    assert best(room("A: CCW..."), "off", count=3, accessible=1) is None
    assert picked(room("A: CWC..."), "off", count=3, accessible=1) == ["A1", "A2", "A3"]


def test_the_seats_beside_a_wheelchair_space_must_be_companion_seats():
    assert best(room("A: ..W..."), "off", count=2, accessible=1) is None


def test_more_wheelchair_spaces_than_seats_is_an_invalid_request():
    with pytest.raises(ValueError):
        Request(count=2, accessible=3)


def test_a_request_needs_at_least_one_seat():
    with pytest.raises(ValueError):
        Request(count=0)


def test_a_general_request_keeps_off_wheelchair_and_companion_seats_while_others_remain():
    plan = room("A: XXCWWCXX", "B: ........")
    assert picked(plan, count=2) == ["B4", "B5"]


def test_a_general_request_falls_back_on_wheelchair_spaces_when_nothing_else_fits():
    plan = room("A: XXXWWXXX", "B: XXXXXXXX")
    assert picked(plan, count=2) == ["A4", "A5"]


def test_a_general_request_never_gets_a_companion_seat_without_a_wheelchair_space():
    assert best(room("A: XXXCCXXX"), "off", count=2) is None
    assert picked(room("A: XXXWCXXX"), "off", count=2) == ["A4", "A5"]


# --- ties, alternatives, candidates -------------------------------------------------------


def test_ties_are_broken_by_the_seed_the_same_way_every_time():
    plan = room("A: .......")  # A3-A4 and A4-A5 are equally good
    for seed in range(20):
        first = best(plan, count=2, seed=seed)
        assert best(plan, count=2, seed=seed) == first
    chosen = {tuple(labels(plan, best(plan, count=2, seed=seed).seats)) for seed in range(20)}
    assert chosen == {("A3", "A4"), ("A4", "A5")}


def test_up_to_three_alternatives_share_no_seat_with_the_pick_or_each_other():
    plan = room("A: ..........", "B: ..........")
    found = best(plan, count=3)
    choices = [found.seats, *found.alternatives]
    assert len(found.alternatives) == 3
    every_seat = [seat_id for choice in choices for seat_id in choice]
    assert len(every_seat) == len(set(every_seat)) == 12


def test_alternatives_are_as_together_as_the_pick():
    plan = room("A: XX..XXX", "B: XXX..XX", "C: ..XXXXX", "D: X..XXXX")
    found = best(plan, "off", count=4)
    assert not found.together
    assert labels(plan, found.seats) == ["A3", "A4", "B4", "B5"]
    assert [labels(plan, seats) for seats in found.alternatives] == [["C1", "C2", "D2", "D3"]]


def test_candidates_come_best_first_without_sharing_a_seat():
    plan = room("A: ............", "B: ............", "C: ............")
    found = candidates(plan, Request(count=4), orphan_mode="strict", limit=8)
    assert len(found) == 8
    assert [choice.score for choice in found] == sorted(choice.score for choice in found)
    every_seat = [seat_id for choice in found for seat_id in choice.seats]
    assert len(every_seat) == len(set(every_seat))
    assert labels(plan, found[0].seats) == ["A5", "A6", "A7", "A8"]


def test_candidates_say_which_seats_they_would_leave_alone():
    plan = room("A: XX...XX", "B: XXXXXXX")
    (found, *_) = candidates(plan, Request(count=2), orphan_mode="off")
    assert list(found.orphans) == orphan_seats_left(plan, found.seats)
    assert len(found.orphans) == 1
