"""The buyer policy (booking/buyer_policy.py) without a database: what it gives a buyer stays
within every limit, what it refuses it refuses for the first rule broken, in the rules' order."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reservations.booking.buyer_policy import BuyerPolicy, BuyerState, whole
from reservations.exceptions import (
    AccountInactive,
    AddressHoldLimitReached,
    BookingError,
    EmailUnverified,
    HoldCapReached,
    HoldLimitReached,
    PurchaseLimitReached,
    SaleEnded,
)

POLICY = BuyerPolicy(
    hold_seconds=300, max_seconds=900, cooldown_seconds=600, hold_limit=10, network_limit=40
)
NOW = datetime(2026, 11, 27, 8, 0, 0, 250_000, tzinfo=UTC)

# Most of them within a cap and a cooldown of now, where the rules change their answer.
seconds_ago = st.one_of(st.integers(0, 1600), st.integers(0, 3 * 3600)).map(
    lambda s: whole(NOW) - timedelta(seconds=s)
)


@st.composite
def states(draw, network: bool | None = None):
    began = draw(st.none() | seconds_ago)
    ended = None if began is None else draw(seconds_ago.filter(lambda t: t >= began))
    with_network = draw(st.booleans()) if network is None else network
    return BuyerState(
        active=True,
        must_verify=False,
        email="a@example.org",
        run_began=began,
        last_ended=ended,
        held=draw(st.integers(0, 12)),
        booked=draw(st.integers(0, 12)),
        purchase_limit=draw(st.integers(1, 20)),
        network="198.51.100.7" if with_network else None,
        network_held=draw(st.integers(0, 45)) if with_network else 0,
    )


def _capped(state: BuyerState) -> bool:
    start = POLICY.run_start(state, NOW)
    return start + POLICY.cap - timedelta(seconds=1) <= NOW


@given(states(), st.integers(1, 12))
def test_a_hold_it_gives_stays_within_every_limit_and_the_cap(state, adding):
    try:
        times = POLICY.hold(state, now=NOW, adding=adding)
    except (HoldCapReached, PurchaseLimitReached, HoldLimitReached, AddressHoldLimitReached):
        return
    assert state.held + adding <= POLICY.hold_limit
    assert state.held + state.booked + adding <= state.purchase_limit
    if state.network is not None:
        assert state.network_held + adding <= POLICY.network_limit
    assert times.since <= NOW and times.since.microsecond == 0
    assert NOW < times.until <= times.since + POLICY.cap
    assert times.until <= POLICY.deadline(NOW)
    if state.run_began is not None:
        assert times.since == state.run_began  # the run goes on: it began when the run began


@given(states(), st.integers(1, 12))
def test_it_refuses_for_the_first_rule_broken_in_order(state, adding):
    purchase_room = state.purchase_limit - state.held - state.booked
    expected = None
    if _capped(state):
        expected = HoldCapReached
    elif adding > purchase_room:
        expected = PurchaseLimitReached
    elif adding > POLICY.hold_limit - state.held:
        expected = HoldLimitReached
    elif state.network is not None and state.network_held + adding > POLICY.network_limit:
        expected = AddressHoldLimitReached
    if expected is None:
        POLICY.hold(state, now=NOW, adding=adding)
    else:
        with pytest.raises(expected):
            POLICY.hold(state, now=NOW, adding=adding)


@given(states())
def test_a_capped_run_tells_when_the_buyer_may_hold_again(state):
    if not _capped(state):
        return
    with pytest.raises(HoldCapReached) as refused:
        POLICY.hold(state, now=NOW, adding=1, seats=[(7, "A7")])
    again = state.last_ended + POLICY.cooldown
    assert refused.value.details["hold_again_at"] == again.isoformat().replace("+00:00", "Z")
    assert refused.value.details["seats"] == [7] and "A7" in refused.value.message
    assert POLICY.run(state, NOW).hold_again_at == again


@given(states(network=False))
def test_may_take_is_exactly_what_a_hold_may_add(state):
    told = POLICY.run(state, NOW)
    if _capped(state):
        return
    if told.may_take:
        POLICY.hold(state, now=NOW, adding=told.may_take)
    with pytest.raises((PurchaseLimitReached, HoldLimitReached)):
        POLICY.hold(state, now=NOW, adding=told.may_take + 1)


@given(st.integers(0, 2000), st.integers(0, 1200))
def test_an_extension_never_passes_the_cap_and_only_adds_time(started_ago, ends_in):
    since = whole(NOW) - timedelta(seconds=started_ago)
    until = whole(NOW) + timedelta(seconds=ends_in)
    cap = since + POLICY.cap
    if until >= cap:
        with pytest.raises(HoldCapReached):
            POLICY.extend(held_since=since, held_until=until, now=NOW, seat=(1, "A1"))
        return
    extended = POLICY.extend(held_since=since, held_until=until, now=NOW, seat=(1, "A1"))
    if extended is None:
        assert min(POLICY.deadline(NOW), cap) <= until
    else:
        assert until < extended <= min(POLICY.deadline(NOW), cap)


@given(states(), st.integers(1, 12))
def test_a_booking_stays_within_the_purchase_limit(state, adding):
    if state.booked + adding > state.purchase_limit:
        with pytest.raises(PurchaseLimitReached):
            POLICY.book(state, now=NOW, adding=adding)
    else:
        assert (
            POLICY.book(state, now=NOW, adding=adding)
            == state.purchase_limit - state.booked - adding
        )


@given(states(), st.integers(1, 12), st.integers(-3600, 3600))
def test_nothing_is_held_or_booked_online_once_the_event_has_begun(state, adding, starts_in):
    state = replace(state, begins=NOW + timedelta(seconds=starts_in))
    for decide in (POLICY.hold, POLICY.book):
        take = partial(decide, state, now=NOW, adding=adding)
        if starts_in <= 0:
            with pytest.raises(SaleEnded):
                take()
            continue
        try:
            take()
        except SaleEnded:
            pytest.fail("refused as begun before the event began")
        except BookingError:
            pass  # another rule's refusal


@given(states(), st.integers(0, 3600), st.decimals(min_value=0, max_value=100, places=2))
def test_an_order_is_paid_by_its_window_after_the_hold_unless_there_is_nothing_to_pay(
    state, window, total
):
    state = replace(state, pay_window=window)
    held_until = whole(NOW) + timedelta(seconds=300)
    pay_by = POLICY.pay_by(state, held_until=held_until, total=total)
    assert pay_by == (None if total == 0 else held_until + timedelta(seconds=window))
    assert (
        POLICY.pay_by(replace(state, pay_window=None), held_until=held_until, total=total) is None
    )


def test_an_inactive_or_unverified_account_takes_nothing():
    state = BuyerState(True, False, "", None, None, 0, 0, 10)
    with pytest.raises(AccountInactive):
        POLICY.hold(BuyerState(False, False, "", None, None, 0, 0, 10), now=NOW, adding=1)
    with pytest.raises(EmailUnverified):
        POLICY.hold(BuyerState(True, True, "a@b.c", None, None, 0, 0, 10), now=NOW, adding=1)
    assert POLICY.hold(state, now=NOW, adding=1).since == whole(NOW)


def test_a_hold_late_in_a_run_ends_when_the_run_does():
    began = whole(NOW) - timedelta(seconds=700)  # 200 s of the run's 900 left, a hold is 300
    state = BuyerState(True, False, "", began, whole(NOW), 1, 0, 10)
    times = POLICY.hold(state, now=NOW, adding=1)
    assert (times.since, times.until) == (began, began + POLICY.cap)
