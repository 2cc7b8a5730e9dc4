"""The money as a property: random sequences of online bookings, box-office sales (cash,
card, comp, an amount of staff's own), reseats, partial and full refunds and buyers' cancels,
on PostgreSQL with real transactions. A small model keeps what each booking paid and was given
back; after every step the console's money, the sales export and the inventory check (which
checks each booking's money against its seats) must agree with it."""

import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from reservations.exports import SALES_HEADER, csv_lines, sales_rows
from reservations.ledger.inventory import inventory_disagreements
from reservations.models import Seat
from reservations.sale_figures import sale_figures
from reservations.services.booking_changes import reservation_refund, reservation_reseat
from reservations.services.box_office import box_office_sell

from . import booking_calls
from .console_staff import staff_in
from .factories import UserFactory, event_with_seats

PRICES = [Decimal(p) for p in ("10.00", "25.50", "40.00", "99.99", "120.00", "5.25", "60.00")]
SEATS = len(PRICES)
CENT = Decimal("0.01")

picks = st.lists(st.integers(0, SEATS - 1), min_size=1, max_size=3, unique=True)
share = st.sampled_from([Decimal(0), Decimal("0.25"), Decimal("0.5"), Decimal(1)])


class Money(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.buyers = [UserFactory(), UserFactory()]
        self.staff = staff_in("Manager", username=f"manager{UserFactory().pk}")
        self.event = event_with_seats(rows=1, seats_per_row=SEATS)
        self.seat_ids = list(self.event.seats.order_by("id").values_list("id", flat=True))
        for seat_id, price in zip(self.seat_ids, PRICES, strict=True):
            Seat.objects.filter(pk=seat_id).update(price=price)
        self.owner: dict[int, int | None] = dict.fromkeys(self.seat_ids)  # seat -> booking
        self.paid: dict[int, Decimal] = {}
        self.refunded: dict[int, Decimal] = {}
        self.online: dict[int, object] = {}  # booking -> its buyer, for a buyer's cancel

    def _free(self, picked: list[int]) -> list[int]:
        return [self.seat_ids[i] for i in picked if self.owner[self.seat_ids[i]] is None]

    def _seats_of(self, booking: int) -> list[int]:
        return [s for s, b in self.owner.items() if b == booking]

    def _live(self) -> list[int]:
        return sorted({b for b in self.owner.values() if b is not None})

    def _booked(self, booking: int, seat_ids: list[int], paid: Decimal) -> None:
        for seat_id in seat_ids:
            self.owner[seat_id] = booking
        self.paid[booking], self.refunded[booking] = paid, Decimal("0.00")

    @rule(picked=picks, buyer=st.integers(0, 1))
    def book_online(self, picked, buyer):
        seat_ids = self._free(picked)
        if not seat_ids:
            return
        user = self.buyers[buyer]
        booking_calls.lock_several(user=user, event_id=self.event.id, seat_ids=seat_ids)
        booked = booking_calls.reserve(user=user, event_id=self.event.id, seat_ids=seat_ids)
        total = sum(PRICES[self.seat_ids.index(s)] for s in seat_ids)
        self._booked(booked.reservation.pk, seat_ids, total)
        self.online[booked.reservation.pk] = user

    @rule(picked=picks, payment=st.sampled_from(["cash", "card", "comp"]), part=share)
    def sell_at_the_box_office(self, picked, payment, part):
        seat_ids = self._free(picked)
        if not seat_ids:
            return
        total = sum(PRICES[self.seat_ids.index(s)] for s in seat_ids)
        amount = None if payment == "comp" or part == 1 else (total * part).quantize(CENT)
        sale = box_office_sell(
            staff_id=self.staff.pk,
            event_id=self.event.id,
            seat_ids=seat_ids,
            payment=payment,
            amount_taken=amount,
        )
        paid = Decimal(0) if payment == "comp" else total if amount is None else amount
        self._booked(sale.pk, seat_ids, paid)

    @precondition(lambda self: self._live())
    @rule(which=st.integers(0, 10), to=st.integers(0, SEATS - 1))
    def reseat(self, which, to):
        booking = self._live()[which % len(self._live())]
        new = self.seat_ids[to]
        if self.owner[new] is not None:
            return
        old = self._seats_of(booking)[0]
        reservation_reseat(staff_id=self.staff.pk, reservation_id=booking, moves=[(old, new)])
        self.owner[old], self.owner[new] = None, booking

    @precondition(lambda self: self._live())
    @rule(which=st.integers(0, 10), everything=st.booleans(), part=share)
    def refund(self, which, everything, part):
        booking = self._live()[which % len(self._live())]
        seats = self._seats_of(booking)
        leaving = seats if everything else seats[:1]
        amount = ((self.paid[booking] - self.refunded[booking]) * part).quantize(CENT)
        reservation_refund(
            staff_id=self.staff.pk,
            reservation_id=booking,
            seat_ids=None if everything else leaving,
            refunded=amount,
            reason="property",
        )
        self.refunded[booking] += amount
        for seat_id in leaving:
            self.owner[seat_id] = None

    @precondition(lambda self: any(b in self.online for b in self._live()))
    @rule(which=st.integers(0, 10))
    def buyer_cancels(self, which):
        online = [b for b in self._live() if b in self.online]
        booking = online[which % len(online)]
        booking_calls.cancel(user=self.online[booking], reservation_id=booking)
        self.refunded[booking] = self.paid[booking]
        for seat_id in self._seats_of(booking):
            self.owner[seat_id] = None

    @invariant()
    def the_console_counts_what_was_paid_less_what_was_given_back(self):
        expected = sum(self.paid.values(), Decimal(0)) - sum(self.refunded.values(), Decimal(0))
        figures = sale_figures(event_id=self.event.id)
        assert figures["money_taken"] == expected
        assert figures["refunded"] == sum(self.refunded.values(), Decimal(0))

    @invariant()
    def the_sales_export_confirms_exactly_the_seats_sold_now(self):
        rows = list(sales_rows(self.event.id))[1:]
        status, price = SALES_HEADER.index("status"), SALES_HEADER.index("price")
        confirmed = [row for row in rows if row[status] == "confirmed"]
        assert len(confirmed) == sum(1 for b in self.owner.values() if b is not None)
        held = [PRICES[i] for i, s in enumerate(self.seat_ids) if self.owner[s] is not None]
        assert sum(row[price] for row in confirmed) == sum(held, Decimal(0))
        assert len(list(csv_lines(rows))) == len(rows)  # every row writes

    @invariant()
    def the_inventory_check_agrees(self):
        assert inventory_disagreements(event_id=self.event.id) == []


@pytest.mark.django_db(transaction=True)
def test_the_money_adds_up_under_random_sequences():
    run_state_machine_as_test(
        Money,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            database=None,
            # No shrinking (as test_booking_rules_property.py): the failing run is printed.
            phases=(Phase.explicit, Phase.reuse, Phase.generate),
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_the_export_rows_read_as_text():
    assert io.StringIO("".join(csv_lines([["=1"]]))).read() == "'=1\r\n"
