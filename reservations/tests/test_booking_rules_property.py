"""The booking rules as a property: random sequences of lock, lock several, unlock, reserve,
cancel, time passing and the sweeper, by several users, on PostgreSQL with real transactions.

A small model says what each call must answer; after every step the database must agree with
it and keep the invariants: no seat in two confirmed reservations, no seat held by two users,
nobody over the hold limit, versions only growing, and the event's `seats_available` equal to
the available seats of the seat list (as the two views read them after every step, and as the
API answers at the end of each sequence).
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from rest_framework.test import APIClient

from reservations import selectors
from reservations.api import presenters
from reservations.exceptions import (
    AlreadyCancelled,
    BookingError,
    HoldLimitReached,
    LockRequired,
    NotFound,
    NotHolder,
    SeatUnavailable,
)
from reservations.models import Reservation, ReservedSeat, Seat
from reservations.services import locks_expire

from .booking_calls import cancel, lock, lock_several, reserve, unlock
from .factories import UserFactory, event_with_seats

HOLD_LIMIT = 3
SEATS = 8
USERS = 3

seat_index = st.integers(0, SEATS - 1)
seat_indexes = st.lists(seat_index, min_size=1, max_size=4, unique=True)
user_index = st.integers(0, USERS - 1)


class BookingRules(RuleBasedStateMachine):
    reservations = Bundle("reservations")

    def __init__(self):
        super().__init__()
        self.users = [UserFactory() for _ in range(USERS)]
        self.event = event_with_seats(rows=1, seats_per_row=SEATS)
        self.seat_ids = list(self.event.seats.order_by("id").values_list("id", flat=True))
        # The model: seat id -> ("available", None) | ("held", user) | ("booked", user); and
        # which held seats' locks have ended (time passed, the sweeper not yet run).
        self.state = {seat_id: ("available", None) for seat_id in self.seat_ids}
        self.ended: set[int] = set()
        self.booked: dict[int, tuple[int, list[int]]] = {}  # confirmed reservation -> (user, seats)
        self.versions = dict.fromkeys(self.seat_ids, 0)
        self.api = APIClient()

    # --- what the rules say -------------------------------------------------------------

    def _held_live(self, seat_id: int, user: int) -> bool:
        return self.state[seat_id] == ("held", user) and seat_id not in self.ended

    def _free(self, seat_id: int) -> bool:
        return self.state[seat_id][0] == "available" or seat_id in self.ended

    def _live_holds(self, user: int) -> int:
        return sum(1 for seat_id in self.seat_ids if self._held_live(seat_id, user))

    def _expected_lock(self, user: int, seat_ids: list[int]):
        if any(not self._free(s) and not self._held_live(s, user) for s in seat_ids):
            return SeatUnavailable
        new = [s for s in seat_ids if not self._held_live(s, user)]
        if new and self._live_holds(user) + len(new) > HOLD_LIMIT:
            return HoldLimitReached
        return None

    def _call(self, expected, call):
        """Run a service; it must fail exactly when the model says, with the model's error."""
        try:
            result = call()
        except BookingError as exc:
            assert expected is not None, f"refused with {exc!r}, the rules allow it"
            assert isinstance(exc, expected), f"{exc!r}, expected {expected.__name__}"
            return None
        assert expected is None, f"allowed, the rules say {expected.__name__}"
        return result

    def _hold(self, user: int, seat_ids: list[int]) -> None:
        for seat_id in seat_ids:
            if not self._held_live(seat_id, user):
                self.state[seat_id] = ("held", user)
                self.ended.discard(seat_id)

    # --- steps -------------------------------------------------------------------------

    @rule(user=user_index, seat=seat_index)
    def lock(self, user, seat):
        seat_id = self.seat_ids[seat]
        expected = self._expected_lock(user, [seat_id])
        done = self._call(
            expected,
            lambda: lock(user=self.users[user], event_id=self.event.id, seat_id=seat_id),
        )
        if done is not None:
            self._hold(user, [seat_id])

    @rule(user=user_index, seats=seat_indexes)
    def lock_several(self, user, seats):
        seat_ids = [self.seat_ids[i] for i in seats]
        expected = self._expected_lock(user, seat_ids)
        done = self._call(
            expected,
            lambda: lock_several(user=self.users[user], event_id=self.event.id, seat_ids=seat_ids),
        )
        if done is not None:
            self._hold(user, seat_ids)

    @rule(user=user_index, seat=seat_index)
    def unlock(self, user, seat):
        seat_id = self.seat_ids[seat]
        expected = None if self._held_live(seat_id, user) else NotHolder
        done = self._call(
            expected,
            lambda: unlock(user=self.users[user], event_id=self.event.id, seat_id=seat_id),
        )
        if done is not None:
            self.state[seat_id] = ("available", None)

    @rule(target=reservations, user=user_index, seats=seat_indexes)
    def reserve(self, user, seats):
        seat_ids = [self.seat_ids[i] for i in seats]
        expected = None if all(self._held_live(s, user) for s in seat_ids) else LockRequired
        outcome = self._call(
            expected,
            lambda: reserve(user=self.users[user], event_id=self.event.id, seat_ids=seat_ids),
        )
        if outcome is None:
            return multiple()
        for seat_id in seat_ids:
            self.state[seat_id] = ("booked", user)
        self.booked[outcome.reservation.pk] = (user, seat_ids)
        return outcome.reservation.pk

    @rule(reservation=reservations, user=user_index)
    def cancel(self, reservation, user):
        owner = Reservation.objects.values_list("user_id", flat=True).get(pk=reservation)
        if owner != self.users[user].pk:
            expected = NotFound
        elif reservation not in self.booked:
            expected = AlreadyCancelled
        else:
            expected = None
        done = self._call(
            expected,
            lambda: cancel(user=self.users[user], reservation_id=reservation),
        )
        if done is not None:
            _, seat_ids = self.booked.pop(reservation)
            for seat_id in seat_ids:
                self.state[seat_id] = ("available", None)

    @rule(seats=seat_indexes)
    def time_passes(self, seats):
        """These seats' holds end (their deadline moves into the past); no sweeper yet."""
        ending = [self.seat_ids[i] for i in seats if self.state[self.seat_ids[i]][0] == "held"]
        Seat.objects.filter(id__in=ending).update(held_until=timezone.now() - timedelta(seconds=1))
        self.ended.update(ending)

    @rule()
    def sweeper_runs(self):
        swept = {seat.id for seat in locks_expire() if seat.event_id == self.event.id}
        assert swept == self.ended
        for seat_id in swept:
            self.state[seat_id] = ("available", None)
        self.ended.clear()

    # --- after every step ---------------------------------------------------------------

    @invariant()
    def the_seats_agree_with_the_rules(self):
        """The event's seats, read once a step for the four checks of them."""
        seats = {s.id: s for s in Seat.objects.filter(event=self.event)}
        self.the_database_agrees_with_the_rules(seats)
        self.no_seat_is_sold_twice_or_both_held_and_sold(seats)
        self.nobody_holds_more_than_the_limit(seats)
        self.versions_only_grow(seats)

    def the_database_agrees_with_the_rules(self, seats):
        user_index_of = {u.pk: i for i, u in enumerate(self.users)}
        for seat_id, (state, user) in self.state.items():
            seat = seats[seat_id]
            if state == "available":
                assert seat.status == Seat.Status.AVAILABLE
                assert seat.held_by_id is None and seat.reserved_by_id is None
            elif state == "held":
                assert seat.status == Seat.Status.LOCKED
                assert user_index_of[seat.held_by_id] == user
                assert (seat.held_until <= timezone.now()) == (seat_id in self.ended)
            else:
                assert seat.status == Seat.Status.RESERVED
                assert user_index_of[seat.reserved_by_id] == user

    def no_seat_is_sold_twice_or_both_held_and_sold(self, seats):
        active = ReservedSeat.objects.filter(is_active=True, seat__event=self.event)
        twice = active.values("seat").annotate(n=Count("id")).filter(n__gt=1)
        assert not twice.exists()
        sold = dict(active.values_list("seat_id", "reservation__user_id"))
        assert not active.exclude(reservation__status="confirmed").exists()
        for seat in seats.values():
            if seat.status == Seat.Status.RESERVED:
                assert sold[seat.id] == seat.reserved_by_id
            else:
                assert seat.id not in sold

    def nobody_holds_more_than_the_limit(self, seats):
        now = timezone.now()
        live = Counter(
            seat.held_by_id
            for seat in seats.values()
            if seat.status == Seat.Status.LOCKED and seat.held_until > now
        )
        assert all(n <= HOLD_LIMIT for n in live.values())

    def versions_only_grow(self, seats):
        versions = {seat_id: seat.version for seat_id, seat in seats.items()}
        assert all(versions[s] >= self.versions[s] for s in self.seat_ids)
        self.versions = versions

    @invariant()
    def seats_available_matches_the_seat_list(self):
        """What the two views answer, read as they read it (their selectors and presenter).
        Asked through HTTP after every step, the API's throttles and middleware made the test
        half again as long (42 s against 27); `teardown` asks the API itself, once a sequence."""
        available = selectors.event_get(event_id=self.event.id).seats_available
        seats = selectors.seat_map_get(event_id=self.event.id)
        seat_list = presenters.seat_map_json(self.event.id, seats, user_id=None)["seats"]
        self._agree(available, seat_list)

    def teardown(self):
        event = self.api.get(f"/api/events/{self.event.id}/").json()
        seat_list = self.api.get(f"/api/events/{self.event.id}/seats/").json()["seats"]
        self._agree(event["seats_available"], seat_list)

    def _agree(self, seats_available: int, seat_list: list[dict]) -> None:
        listed = sum(1 for seat in seat_list if seat["status"] == "available")
        assert seats_available == listed
        assert listed == sum(1 for s in self.seat_ids if self._free(s))


@pytest.mark.django_db(transaction=True)
def test_the_booking_rules_hold_under_random_sequences():
    with override_settings(SEAT_HOLD_LIMIT=HOLD_LIMIT, SEAT_LOCK_SECONDS=300):
        run_state_machine_as_test(
            BookingRules,
            settings=settings(
                max_examples=40,
                stateful_step_count=30,
                deadline=None,
                derandomize=True,
                database=None,
                # No shrinking: on a database each replay costs a transaction per step, and
                # Hypothesis would shrink for up to five minutes. The failing sequence is
                # printed as it ran (at most stateful_step_count steps).
                phases=(Phase.explicit, Phase.reuse, Phase.generate),
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
