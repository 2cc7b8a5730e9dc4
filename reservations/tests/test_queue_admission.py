"""Admission from the seats (reservations/waiting_room/admission.py): how many numbers a tick
calls, as specifications of the rule."""

from dataclasses import replace

from reservations.waiting_room.admission import Measured, decide

SALE = Measured(
    free_seats=100,
    held_seats=0,
    booked_seats=0,
    released_holds=0,
    orders=0,
    called_closed=0,
    claimed=0,
    shopping_empty=0,
    pending_calls=0,
    active=0,
    max_active=1000,
    path_slow=False,
    redis_down=False,
    paused_by_organiser=False,
)


def test_before_anything_is_measured_free_seats_over_two_seats_a_buyer_are_called():
    decision = decide(SALE)
    assert (decision.calls, decision.state) == (50, "admitting")


def test_buyers_already_let_in_count_against_the_seats():
    assert decide(replace(SALE, shopping_empty=20, active=20)).calls == 30
    assert decide(replace(SALE, pending_calls=20, active=20)).calls == 30


def test_seats_per_order_is_measured_as_the_sale_goes():
    # 400 orders of 4 seats: the prior of 2 weighs little; 100 free seats serve ~25 buyers.
    assert decide(replace(SALE, orders=400, booked_seats=1600)).calls == 25


def test_no_shows_are_corrected_for():
    # Half of those called came: about twice as many numbers are called for the same seats
    # (the prior, everyone comes, still weighs as ten cases: a share of 510/1010).
    measured = replace(SALE, called_closed=1000, claimed=500)
    assert decide(measured).calls == 99
    assert decide(replace(SALE, called_closed=1000, claimed=1000)).calls == 50


def test_held_seats_count_by_the_share_of_holds_that_lapse():
    no_free = replace(SALE, free_seats=10, held_seats=100)
    # Half of the holds lapse before anything is measured: 10 + 50 seats, 30 buyers.
    assert decide(no_free).calls == 30
    # Every hold so far ended booked: the held seats are as good as sold.
    booked_always = replace(no_free, booked_seats=1000, orders=500, released_holds=0)
    assert decide(booked_always).calls == 5


def test_the_ceiling_of_active_shoppers_holds():
    assert decide(replace(SALE, max_active=30, active=25)).calls == 5
    assert decide(replace(SALE, max_active=30, active=30)).calls == 0


def test_a_slow_booking_path_halves_the_calls():
    decision = decide(replace(SALE, path_slow=True))
    assert (decision.calls, decision.reason) == (25, "slow")


def test_nothing_free_but_holds_is_held_out_and_calls_nobody():
    decision = decide(replace(SALE, free_seats=0, held_seats=40))
    assert (decision.calls, decision.state) == (0, "held_out")


def test_nothing_free_and_nothing_held_is_sold_out():
    decision = decide(replace(SALE, free_seats=0, held_seats=0))
    assert (decision.calls, decision.state) == (0, "sold_out")


def test_redis_away_pauses_admission():
    decision = decide(replace(SALE, redis_down=True))
    assert (decision.calls, decision.state, decision.reason) == (0, "paused", "redis")


def test_the_organiser_may_pause():
    decision = decide(replace(SALE, paused_by_organiser=True))
    assert (decision.calls, decision.state, decision.reason) == (0, "paused", "organiser")


def test_the_last_seats_go_to_the_next_number_even_when_fewer_than_an_order():
    # One seat left, orders of 1.7 seats on average so far: still one more buyer is called.
    last = replace(SALE, free_seats=1, booked_seats=11, orders=7, called_closed=20, claimed=20)
    assert decide(last).calls == 1
    # Unless a buyer already called is expected to take it.
    assert decide(replace(last, shopping_empty=1, active=1)).calls == 0
