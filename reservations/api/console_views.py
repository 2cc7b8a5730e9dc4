"""The organiser's console over HTTP (docs/API.md "The organiser's console"): parse, call a
service (an input's fields are its keyword arguments), shape. Each view names the permission it
needs (the roles: migration 0019); a buyer, or staff without it, is answered 403 `forbidden`, a
stranger 401."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations import sale_figures
from reservations.exceptions import NotFound, RoleRefused
from reservations.exports import FORMATS, WHAT, XLSX, export_response
from reservations.ledger.context import seat_changes
from reservations.ledger.models import Via
from reservations.models import Event, Reservation, Seat
from reservations.roles import may
from reservations.services.blocking import seats_release, seats_take_off_sale
from reservations.services.booking_changes import reservation_refund, reservation_reseat
from reservations.services.box_office import box_office_sell

from .console_presenters import (
    BookingChangeOutput,
    BookingOutput,
    BookingStoryOutput,
    BoxOfficeOutput,
    LimitsOutput,
    OffSaleChangeOutput,
    OffSaleSeatOutput,
    SaleOutput,
    booking_change_json,
    booking_json,
    limits_json,
    off_sale_change_json,
    off_sale_json,
    sale_json,
    story_json,
)
from .inputs import SeatIdsInput, validated
from .pagination import PAGE_PARAMETERS, page_of, paginated

ROLES = (
    "view_console",
    "keep_seats",
    "sell_at_box_office",
    "change_bookings",
    "export_event",
    "change_event",  # the event's limits
    "scan_tickets",  # the door's scanner (/door/{id})
)


def console_permissions(user) -> list[str]:
    """What the caller may do in the console (`me/`'s `console`): the console shows only that."""
    return [
        name for name in ROLES if user.is_authenticated and user.has_perm(f"reservations.{name}")
    ]


def role_needed(codename: str) -> type[BasePermission]:
    """The permission class of a route an event's role may use (roles.py `may`)."""

    class Needs(BasePermission):
        def has_permission(self, request, view) -> bool:
            if not may(request.user, codename, event_id=_event_of(view)):
                raise RoleRefused(codename)
            return True

    return Needs


def _event_of(view) -> int | None:
    """The event a console route is about: its own, or its booking's (read once a request,
    however many roles the route needs)."""
    if "event_id" in view.kwargs:
        return view.kwargs["event_id"]
    if not hasattr(view, "booking_event_id"):
        booking = Reservation.objects.filter(pk=view.kwargs["reservation_id"])
        view.booking_event_id = booking.values_list("event_id", flat=True).first()
    return view.booking_event_id


def _console(codename: str) -> list:
    return [IsAuthenticated, role_needed("view_console"), role_needed(codename)]


# --- Reads ---------------------------------------------------------------------------------


class SaleApi(APIView):
    permission_classes = _console("view_console")

    @extend_schema(responses=SaleOutput)
    def get(self, request, event_id: int):
        return Response(sale_json(sale_figures.sale_figures(event_id=event_id)))


class OffSaleApi(APIView):
    permission_classes = _console("view_console")

    @extend_schema(responses=OffSaleSeatOutput(many=True))
    def get(self, request, event_id: int):
        Event.objects.found(event_id)
        seats = Seat.objects.filter(event_id=event_id, blocked=True).order_by("id")
        return Response([off_sale_json(seat) for seat in seats])


class SearchInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True)


class BookingListApi(APIView):
    permission_classes = _console("view_console")

    @extend_schema(
        parameters=[OpenApiParameter("search", str), *PAGE_PARAMETERS],
        responses=page_of(BookingOutput(many=True)),
    )
    def get(self, request, event_id: int):
        search = request.query_params.get("search", "")[:100]
        data = validated(SearchInput, {"search": search})  # a NUL byte is 400, not a 500
        Event.objects.found(event_id)
        bookings = sale_figures.bookings_of(event_id=event_id, **data)
        return paginated(request, self, bookings, BookingOutput)


class ExportApi(APIView):
    """The event's sales or ledger as a file, the admin's own (docs/LEDGER.md "Exports")."""

    permission_classes = _console("export_event")

    @extend_schema(
        operation_id="staff_events_export_retrieve",
        responses={(200, "text/csv"): bytes, (200, XLSX): bytes},
    )
    def get(self, request, event_id: int, what: str, file_type: str):
        # Not `format`: DRF reads a URL's `format` as a renderer's name.
        if what not in WHAT or file_type not in FORMATS:
            raise NotFound("No such export: sales or ledger, as csv or xlsx.")
        Event.objects.found(event_id)
        return export_response(event_id, what, file_type)


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


class BookingDetailApi(APIView):
    permission_classes = _console("view_console")

    @extend_schema(responses=BookingStoryOutput)
    def get(self, request, reservation_id: int):
        reservation = _staff_booking(reservation_id)
        return Response({**booking_json(reservation), "history": story_json(reservation)})


# --- Changes -------------------------------------------------------------------------------


class LimitsInput(serializers.Serializer):
    purchase_limit = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        allow_null=True,
        required=False,
        help_text="null: the site's default",
    )
    holds_need_verified_email = serializers.BooleanField(
        required=False, help_text="only buyers with a verified e-mail may hold seats"
    )
    holds_limited_per_network = serializers.BooleanField(
        required=False,
        help_text="holds are limited per client network too (API.md 'Holds per network')",
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                "Send one or more of purchase_limit, holds_need_verified_email and "
                "holds_limited_per_network."
            )
        return attrs


class LimitsApi(APIView):
    """The event's rules for buyers (its purchase limit, whether holding needs a verified
    e-mail, whether holds are limited per network): read by whoever watches the sale, set by a
    Manager. No seat changes (every hold and booking statement reads them from the event's
    row), so a plain update of the columns sent."""

    def get_permissions(self):
        needed = "view_console" if self.request.method == "GET" else "change_event"
        return [permission() for permission in _console(needed)]

    @extend_schema(responses=LimitsOutput)
    def get(self, request, event_id: int):
        return Response(limits_json(Event.objects.found(event_id)))

    @extend_schema(request=LimitsInput, responses=LimitsOutput)
    def patch(self, request, event_id: int):
        data = validated(LimitsInput, request.data)
        event = Event.objects.found(event_id)
        for field, value in data.items():
            setattr(event, field, value)
        event.save(update_fields=list(data))
        return Response(limits_json(event))


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


class OffSaleChangeApi(APIView):
    permission_classes = _console("keep_seats")

    @extend_schema(request=KeepInput, responses=OffSaleChangeOutput)
    def post(self, request, event_id: int):
        data = validated(KeepInput, request.data)
        with seat_changes(Via.CONSOLE, actor_id=request.user.pk):
            changed = seats_take_off_sale(event_id=event_id, **data)
        return Response(off_sale_change_json(changed))


class ReleaseApi(APIView):
    permission_classes = _console("keep_seats")

    @extend_schema(request=ReleaseInput, responses=OffSaleChangeOutput)
    def post(self, request, event_id: int):
        data = validated(ReleaseInput, request.data)
        with seat_changes(Via.CONSOLE, actor_id=request.user.pk):
            changed = seats_release(event_id=event_id, **data)
        return Response(off_sale_change_json(changed))


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
        data = validated(BoxOfficeInput, request.data)
        manager = may(request.user, "change_event", event_id=event_id)
        sale = box_office_sell(
            staff_id=request.user.pk, event_id=event_id, may_take_more=manager, **data
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
        data = validated(ReseatInput, request.data)
        change = reservation_reseat(staff_id=request.user.pk, reservation_id=reservation_id, **data)
        return Response(booking_change_json(change, _staff_booking(change.reservation.pk)))


class RefundInput(serializers.Serializer):
    seat_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        allow_empty=False,  # absent or null is all of them; [] is no seat, a mistake
        default=None,
        max_length=100,
    )
    refunded = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    reason = serializers.CharField(max_length=200)


class SettleInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    reference = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RefundApi(APIView):
    permission_classes = _console("change_bookings")

    @extend_schema(request=RefundInput, responses=BookingChangeOutput)
    def post(self, request, reservation_id: int):
        data = validated(RefundInput, request.data)
        change = reservation_refund(staff_id=request.user.pk, reservation_id=reservation_id, **data)
        return Response(booking_change_json(change, _staff_booking(change.reservation.pk)))
