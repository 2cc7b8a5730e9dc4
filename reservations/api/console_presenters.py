"""The organiser's console's JSON (docs/API.md "The organiser's console"): the answers' shapes
for the OpenAPI schema, and the functions that write them (console_views.py calls them)."""

from rest_framework import serializers

from reservations import sale_figures
from reservations.booking.bookings import ReservedSeatRecord
from reservations.models import Event, Reservation, Seat
from reservations.money import ZERO, refundable
from reservations.rules import purchase_limit_of
from reservations.wire_values import iso, money

from .presenters import SeatPlace, booked_seats_json, reserved_seat_record


class OffSaleSeatOutput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    off_sale = serializers.ChoiceField(choices=Seat.OffSale.choices)
    purpose = serializers.CharField()
    reason = serializers.CharField()
    until = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class OffSaleChangeOutput(serializers.Serializer):
    success = serializers.BooleanField()
    changed = OffSaleSeatOutput(many=True)


class BookingOutput(serializers.Serializer):
    class Buyer(serializers.Serializer):
        username = serializers.CharField(allow_null=True)
        name = serializers.CharField()
        email = serializers.CharField()

    class BookedSeat(SeatPlace):
        price = serializers.CharField()

    class BookedEvent(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Reservation.Status.choices)
    channel = serializers.ChoiceField(choices=Reservation.Channel.choices)
    buyer = Buyer()
    seats = BookedSeat(many=True)
    total_price = serializers.CharField()
    payment = serializers.ChoiceField(choices=Reservation.Payment.choices, allow_null=True)
    amount_taken = serializers.CharField(allow_null=True)
    refunded = serializers.CharField()
    refundable = serializers.CharField()
    currency = serializers.CharField()
    event = BookedEvent()
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    pay_by = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance):
        return booking_json(instance)


class BookingStoryOutput(BookingOutput):
    class Change(serializers.Serializer):
        at = serializers.DateTimeField()
        seat = serializers.CharField()
        # `from` is a Python keyword: the schema names the field, the JSON carries it.
        to = serializers.CharField()
        via = serializers.CharField()
        staff = serializers.CharField(allow_null=True)
        reason = serializers.CharField()

    history = Change(many=True)


class BookingChangeOutput(serializers.Serializer):
    success = serializers.BooleanField()
    difference = serializers.CharField()
    reservation = BookingOutput()


class BoxOfficeOutput(serializers.Serializer):
    success = serializers.BooleanField()
    reservation = BookingOutput()


class SaleOutput(serializers.Serializer):
    class Counts(serializers.Serializer):
        free = serializers.IntegerField()
        held = serializers.IntegerField()
        paying = serializers.IntegerField()
        booked = serializers.IntegerField()
        kept = serializers.IntegerField()
        killed = serializers.IntegerField()

    class SaleCategory(Counts):
        id = serializers.IntegerField()
        name = serializers.CharField()
        price = serializers.CharField()

    class SaleSection(Counts):
        section = serializers.CharField()

    class Queue(serializers.Serializer):
        state = serializers.CharField()
        waiting = serializers.IntegerField()
        serving = serializers.IntegerField()
        rate = serializers.FloatField()
        joined = serializers.IntegerField()

    event_id = serializers.IntegerField()
    currency = serializers.CharField()
    categories = SaleCategory(many=True)
    sections = SaleSection(many=True)
    earliest_hold_ends_at = serializers.DateTimeField(allow_null=True)
    money_taken = serializers.CharField()
    refunded = serializers.CharField()
    money_awaiting = serializers.CharField()
    bookings_last_minute = serializers.IntegerField()
    queue = Queue(allow_null=True)


class LimitsOutput(serializers.Serializer):
    event_id = serializers.IntegerField()
    purchase_limit = serializers.IntegerField(allow_null=True)
    effective = serializers.IntegerField()
    holds_need_verified_email = serializers.BooleanField()
    holds_limited_per_network = serializers.BooleanField()


def off_sale_json(seat: Seat) -> dict:
    return {
        "id": seat.id,
        "label": seat.label,
        "off_sale": seat.off_sale,
        "purpose": seat.blocked_purpose,
        "reason": seat.blocked_reason,
        "until": iso(seat.blocked_until),
        "version": seat.version,
    }


def off_sale_change_json(seats) -> dict:
    return {"success": True, "changed": [off_sale_json(seat) for seat in seats]}


def booking_json(reservation: Reservation, seats: list[ReservedSeatRecord] | None = None) -> dict:
    """A booking; its seats as sold: `seats`, or read from it."""
    if seats is None:
        seats = [reserved_seat_record(r) for r in reservation.reserved_seats.all() if r.is_active]
    account = reservation.user
    return {
        "id": reservation.id,
        "status": reservation.status,
        "channel": reservation.channel,
        "buyer": {
            "username": account.username if account else None,
            "name": reservation.buyer_name,
            "email": reservation.buyer_email or (account.email if account else ""),
        },
        "seats": booked_seats_json(seats),
        "total_price": money(reservation.total_price),
        "payment": reservation.payment or None,
        "amount_taken": money(reservation.amount_taken),
        "refunded": money(reservation.refunded),
        "refundable": money(
            refundable(reservation) if reservation.amount_taken is not None else ZERO
        ),
        "currency": reservation.event.currency,
        "event": {"id": reservation.event_id, "name": reservation.event.name},
        "created_at": iso(reservation.created_at),
        "cancelled_at": iso(reservation.cancelled_at),
        "pay_by": iso(reservation.pay_by),
    }


def story_json(reservation: Reservation) -> list[dict]:
    return [
        {
            "at": iso(change.at),
            "seat": change.seat.label,
            "from": change.status_before,
            "to": change.status_after,
            "via": change.via,
            "staff": change.actor.username if change.actor else None,
            "reason": change.reason,
        }
        for change in sale_figures.booking_story(reservation)[:200]
    ]


def limits_json(event: Event) -> dict:
    return {
        "event_id": event.pk,
        "purchase_limit": event.purchase_limit,
        "effective": purchase_limit_of(event),
        "holds_need_verified_email": event.holds_need_verified_email,
        "holds_limited_per_network": event.holds_limited_per_network,
    }


def sale_json(figures: dict) -> dict:
    """The sale's figures (sale_figures.py) with their money and times as the wire writes them."""
    for row in figures["categories"]:
        row["price"] = money(row["price"])
    figures["earliest_hold_ends_at"] = iso(figures["earliest_hold_ends_at"])
    figures["money_taken"] = money(figures["money_taken"])
    figures["refunded"] = money(figures["refunded"])
    figures["money_awaiting"] = money(figures["money_awaiting"])
    return figures


def booking_change_json(change, reservation: Reservation) -> dict:
    """The answer to a reseat or a refund: the difference in money and the booking after it."""
    return {
        "success": True,
        "difference": money(change.difference),
        "reservation": booking_json(reservation),
    }
