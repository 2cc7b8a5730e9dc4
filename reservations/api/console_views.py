"""The organiser's console over HTTP (docs/API.md "The organiser's console"): parse, call a
service, shape. Each view names the permission it needs (the roles: migration 0019); a buyer,
or staff without it, is answered 403 `forbidden`, a stranger 401."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations import sale_figures
from reservations.exceptions import NotFound
from reservations.ledger.context import seat_changes
from reservations.ledger.models import Via
from reservations.models import Event, Reservation, Seat
from reservations.rules import purchase_limit_of
from reservations.services.blocking import seats_release, seats_take_off_sale
from reservations.services.booking_changes import reservation_refund, reservation_reseat
from reservations.services.box_office import box_office_sell
from reservations.wire_values import iso, money

from .inputs import SeatIdsInput
from .pagination import PAGE_PARAMETERS, page_of, paginated

ROLES = (
    "view_console",
    "keep_seats",
    "sell_at_box_office",
    "change_bookings",
    "export_event",
    "change_event",  # the event's limits
)


def console_permissions(user) -> list[str]:
    """What the caller may do in the console (`me/`'s `console`): the console shows only that."""
    return [
        name for name in ROLES if user.is_authenticated and user.has_perm(f"reservations.{name}")
    ]


def _needs(codename: str) -> type[BasePermission]:
    class Needs(BasePermission):
        def has_permission(self, request, view) -> bool:
            if not request.user.has_perm(f"reservations.{codename}"):
                raise PermissionDenied(f"Your role may not do this ({codename}).")
            return True

    return Needs


def _console(codename: str) -> list:
    return [IsAuthenticated, _needs("view_console"), _needs(codename)]


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- The answers' shapes, for the schema (the JSON is written by the functions below) -------


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

    class BookedSeat(serializers.Serializer):
        id = serializers.IntegerField()
        label = serializers.CharField()
        section = serializers.CharField()
        row = serializers.CharField()
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
    currency = serializers.CharField()
    event = BookedEvent()
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)

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
    bookings_last_minute = serializers.IntegerField()
    queue = Queue(allow_null=True)


# --- Reads ---------------------------------------------------------------------------------


class SaleApi(APIView):
    permission_classes = _console("view_console")

    @extend_schema(responses=SaleOutput)
    def get(self, request, event_id: int):
        figures = sale_figures.sale_figures(event_id=event_id)
        for row in figures["categories"]:
            row["price"] = money(row["price"])
        figures["earliest_hold_ends_at"] = iso(figures["earliest_hold_ends_at"])
        figures["money_taken"] = money(figures["money_taken"])
        figures["refunded"] = money(figures["refunded"])
        return Response(figures)


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


class OffSaleApi(APIView):
    permission_classes = _console("view_console")

    @extend_schema(responses=OffSaleSeatOutput(many=True))
    def get(self, request, event_id: int):
        seats = Seat.objects.filter(event_id=event_id, blocked=True).order_by("id")
        return Response([off_sale_json(seat) for seat in seats])


def booking_json(reservation: Reservation) -> dict:
    seats = [r for r in reservation.reserved_seats.all() if r.is_active]
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
        "seats": [
            {
                "id": r.seat_id,
                "label": r.seat.label,
                "section": r.seat.section,
                "row": r.seat.row,
                "price": money(r.price),
            }
            for r in seats
        ],
        "total_price": money(reservation.total_price),
        "payment": reservation.payment or None,
        "amount_taken": money(reservation.amount_taken)
        if reservation.amount_taken is not None
        else None,
        "refunded": money(reservation.refunded),
        "currency": reservation.event.currency,
        "event": {"id": reservation.event_id, "name": reservation.event.name},
        "created_at": iso(reservation.created_at),
        "cancelled_at": iso(reservation.cancelled_at),
    }


class BookingListApi(APIView):
    permission_classes = _console("view_console")

    @extend_schema(
        parameters=[OpenApiParameter("search", str), *PAGE_PARAMETERS],
        responses=page_of(BookingOutput(many=True)),
    )
    def get(self, request, event_id: int):
        search = request.query_params.get("search", "")[:100].strip()
        bookings = sale_figures.bookings_of(event_id=event_id, search=search)
        return paginated(request, self, bookings, BookingOutput)


def _staff_booking(reservation_id: int) -> Reservation:
    reservation = (
        Reservation.objects.select_related("user", "event")
        .prefetch_related("reserved_seats__seat")
        .filter(pk=reservation_id)
        .first()
    )
    if reservation is None:
        raise NotFound("No such reservation.")
    return reservation


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


class BookingDetailApi(APIView):
    permission_classes = _console("view_console")

    @extend_schema(responses=BookingStoryOutput)
    def get(self, request, reservation_id: int):
        reservation = _staff_booking(reservation_id)
        return Response({**booking_json(reservation), "history": story_json(reservation)})


# --- Changes -------------------------------------------------------------------------------


class LimitsInput(serializers.Serializer):
    purchase_limit = serializers.IntegerField(
        min_value=1, max_value=100_000, allow_null=True, help_text="null: the site's default"
    )


class LimitsOutput(serializers.Serializer):
    event_id = serializers.IntegerField()
    purchase_limit = serializers.IntegerField(allow_null=True)
    effective = serializers.IntegerField()


def _limits_json(event: Event) -> dict:
    return {
        "event_id": event.pk,
        "purchase_limit": event.purchase_limit,
        "effective": purchase_limit_of(event),
    }


def _event(event_id: int) -> Event:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise NotFound("No such event.")
    return event


class LimitsApi(APIView):
    """The event's purchase limit: read by whoever watches the sale, set by a Manager. No seat
    changes (every hold and booking statement reads the limit from the event's row), so a plain
    update of one column."""

    def get_permissions(self):
        needed = "view_console" if self.request.method == "GET" else "change_event"
        return [permission() for permission in _console(needed)]

    @extend_schema(responses=LimitsOutput)
    def get(self, request, event_id: int):
        return Response(_limits_json(_event(event_id)))

    @extend_schema(request=LimitsInput, responses=LimitsOutput)
    def patch(self, request, event_id: int):
        data = _valid(LimitsInput, request.data)
        event = _event(event_id)
        event.purchase_limit = data["purchase_limit"]
        event.save(update_fields=["purchase_limit"])
        return Response(_limits_json(event))


# A section of the arena is ~1,000 seats: an organiser keeps or releases it in one call.
OFF_SALE_SEATS_MAX = 5000


class StaffSeatsInput(serializers.Serializer):
    seat_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=OFF_SALE_SEATS_MAX,
    )


class KeepInput(StaffSeatsInput):
    kind = serializers.ChoiceField(choices=Seat.OffSale.choices)
    purpose = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReleaseInput(StaffSeatsInput):
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


def _seats_json(seats) -> dict:
    return {"success": True, "changed": [off_sale_json(seat) for seat in seats]}


class OffSaleChangeApi(APIView):
    permission_classes = _console("keep_seats")

    @extend_schema(request=KeepInput, responses=OffSaleChangeOutput)
    def post(self, request, event_id: int):
        data = _valid(KeepInput, request.data)
        with seat_changes(Via.CONSOLE, actor_id=request.user.pk):
            changed = seats_take_off_sale(
                event_id=event_id,
                seat_ids=data["seat_ids"],
                kind=data["kind"],
                purpose=data["purpose"],
                reason=data["reason"],
                until=data["until"],
            )
        return Response(_seats_json(changed))


class ReleaseApi(APIView):
    permission_classes = _console("keep_seats")

    @extend_schema(request=ReleaseInput, responses=OffSaleChangeOutput)
    def post(self, request, event_id: int):
        data = _valid(ReleaseInput, request.data)
        with seat_changes(Via.CONSOLE, actor_id=request.user.pk):
            changed = seats_release(event_id=event_id, seat_ids=data["seat_ids"], at=data["at"])
        return Response(_seats_json(changed))


class BoxOfficeInput(SeatIdsInput):
    payment = serializers.ChoiceField(choices=Reservation.Payment.choices)
    amount_taken = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    buyer_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    buyer_email = serializers.EmailField(required=False, default="", allow_blank=True)


class BoxOfficeApi(APIView):
    permission_classes = _console("sell_at_box_office")

    @extend_schema(request=BoxOfficeInput, responses={201: BoxOfficeOutput})
    def post(self, request, event_id: int):
        data = _valid(BoxOfficeInput, request.data)
        sale = box_office_sell(
            staff_id=request.user.pk,
            event_id=event_id,
            seat_ids=data["seat_ids"],
            payment=data["payment"],
            amount_taken=data["amount_taken"],
            buyer_name=data["buyer_name"],
            buyer_email=data["buyer_email"],
        )
        body = {"success": True, "reservation": booking_json(_staff_booking(sale.pk))}
        return Response(body, status=status.HTTP_201_CREATED)


class ReseatInput(serializers.Serializer):
    moves = serializers.ListField(
        child=serializers.ListField(
            child=serializers.IntegerField(min_value=1), min_length=2, max_length=2
        ),
        min_length=1,
        max_length=50,
        help_text="[[from seat id, to seat id], ...]",
    )
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ReseatApi(APIView):
    permission_classes = _console("change_bookings")

    @extend_schema(request=ReseatInput, responses=BookingChangeOutput)
    def post(self, request, reservation_id: int):
        data = _valid(ReseatInput, request.data)
        change = reservation_reseat(
            staff_id=request.user.pk,
            reservation_id=reservation_id,
            moves=[tuple(move) for move in data["moves"]],
            reason=data["reason"],
        )
        return Response(_change_json(change))


class RefundInput(serializers.Serializer):
    seat_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=100,
    )
    refunded = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    reason = serializers.CharField(max_length=200)


class RefundApi(APIView):
    permission_classes = _console("change_bookings")

    @extend_schema(request=RefundInput, responses=BookingChangeOutput)
    def post(self, request, reservation_id: int):
        data = _valid(RefundInput, request.data)
        change = reservation_refund(
            staff_id=request.user.pk,
            reservation_id=reservation_id,
            seat_ids=data["seat_ids"],
            refunded=data["refunded"],
            reason=data["reason"],
        )
        return Response(_change_json(change))


def _change_json(change) -> dict:
    return {
        "success": True,
        "difference": money(change.difference),
        "reservation": booking_json(_staff_booking(change.reservation.pk)),
    }
