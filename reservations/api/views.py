"""The HTTP API of API.md: one small class per operation. Parse, call a service, shape."""

import orjson
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from reservations import selectors, users
from reservations.client_address import request_address_key
from reservations.health import engines, health_report
from reservations.live_seats import SEAT_LIST_CODINGS
from reservations.roles import event_permissions

from . import map_presenters, presenters
from .account_views import email_state
from .browser_tokens import refresh_cookie_clear, refresh_cookie_of
from .calendar_files import calendar_response
from .console_views import console_permissions
from .content_coding import IDENTITY, coding_for, compressed
from .errors import InvalidCredentials, error_response
from .inputs import TextField, validated
from .map_document import LAYOUT, SEAT_MAP, document_response
from .metrics_access import scrape_allowed
from .origins import TrustedOrigin
from .pagination import PAGE_PARAMETERS, page_of, paginated
from .presenters import EventDetailOutput, EventOutput, ReservationOutput, SeatOutput, UserOutput
from .refresh_limits import RefreshUserThrottle
from .throttles import ReadThrottle, SeatListUserThrottle
from .tokens import TokenObtainInput, TokenRefreshInput, bearer_family_revoke, refresh_family_revoke


class CredentialsInput(serializers.Serializer):
    username = TextField(max_length=150)
    password = TextField(max_length=128, trim_whitespace=False)


class RegisterInput(CredentialsInput):
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="where the account's booking confirmations are e-mailed; none: no e-mail",
    )

    def validate_username(self, username):
        try:
            name = users.username_validate(username)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        if users.username_taken(name):
            raise serializers.ValidationError("That username is taken.")
        return name

    def validate(self, data):
        candidate = get_user_model()(username=data["username"])
        try:
            validate_password(data["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from exc
        return data


# --- Authentication ------------------------------------------------------------------------


class CsrfApi(APIView):
    @extend_schema(responses=inline_serializer("Csrf", {"csrfToken": serializers.CharField()}))
    @method_decorator(ensure_csrf_cookie)
    def get(self, request):
        return Response({"csrfToken": get_token(request)})


class RegisterApi(APIView):
    throttle_classes = []  # login_door (urls.py), as every view that hashes a password

    @extend_schema(request=RegisterInput, responses={201: UserOutput})
    def post(self, request):
        data = validated(RegisterInput, request.data)
        try:
            user = users.user_create(**data, registered_from=request_address_key(request))
        except users.UsernameTaken as exc:
            raise serializers.ValidationError({"username": exc.messages}) from exc
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class LoginApi(APIView):
    throttle_classes = []  # login_door (urls.py)

    @extend_schema(
        request=CredentialsInput,
        responses=inline_serializer(
            "Login", {"success": serializers.BooleanField(), "user": UserOutput()}
        ),
    )
    def post(self, request):
        data = validated(CredentialsInput, request.data)
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            raise InvalidCredentials()
        login(request, user)
        return Response({"success": True, "user": UserOutput(user).data})


class LogoutInput(serializers.Serializer):
    refresh = TextField(required=False, max_length=4096)


class LogoutApi(APIView):
    """Ends the session and revokes the refresh tokens of the caller's login (tokens.py): the
    family of the refresh token given, of the bearer token sent, of a cookie of an earlier
    release (its path was /api/; today's goes only to the refresh route)."""

    permission_classes = [TrustedOrigin]

    @extend_schema(
        request=LogoutInput,
        responses=inline_serializer("Logout", {"success": serializers.BooleanField()}),
    )
    def post(self, request):
        data = validated(LogoutInput, request.data)
        for raw in (data.get("refresh"), refresh_cookie_of(request)):
            if raw:
                refresh_family_revoke(raw)
        if isinstance(request.auth, AccessToken):
            bearer_family_revoke(request.auth)
        logout(request)
        response = Response({"success": True})
        refresh_cookie_clear(response)
        return response


class MeOutput(UserOutput):
    console = serializers.ListField(
        child=serializers.CharField(),
        help_text="what the caller may do in the organiser's console of every event: [] for a "
        "buyer",
    )
    console_events = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="what the caller may do in the console of each event it is staff of (by its "
        "id), beside `console`",
    )
    email = serializers.CharField(help_text="the account's address, empty if none")
    email_verified = serializers.BooleanField(help_text="its owner opened our link to it")


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutput)
    def get(self, request):
        user = request.user
        return Response(
            {
                **UserOutput(user).data,
                "console": console_permissions(user),
                "console_events": event_permissions(user),
                **email_state(user),
            }
        )


class TokenObtainApi(TokenObtainPairView):
    throttle_classes = []  # login_door (urls.py)
    serializer_class = TokenObtainInput


class TokenRefreshApi(TokenRefreshView):
    serializer_class = TokenRefreshInput
    throttle_classes = [RefreshUserThrottle]

    def refresh_token_of(self, request) -> str | None:
        raw = request.data.get("refresh") if hasattr(request.data, "get") else None
        return raw if isinstance(raw, str) else None


# --- Events and seats ----------------------------------------------------------------------


class EventListApi(APIView):
    throttle_classes = [ReadThrottle]

    @extend_schema(
        operation_id="events_list",
        parameters=PAGE_PARAMETERS,
        responses=page_of(EventOutput(many=True)),
    )
    def get(self, request):
        return paginated(
            request, self, selectors.event_list(), EventOutput, selectors.events_counted_live
        )


class EventDetailApi(APIView):
    throttle_classes = [ReadThrottle]

    @extend_schema(responses=EventDetailOutput)
    def get(self, request, event_id: int):
        return Response(EventDetailOutput(selectors.event_get(event_id=event_id)).data)


class SeatListApi(APIView):
    # The seat list from the database. A server answers it on its loop from the event's live
    # map (live_reads.py); this answers what the loop hands over: a caller by session, a
    # process without a live map (API.md). (A comment: a docstring would be the schema's.)
    throttle_classes = [ReadThrottle, SeatListUserThrottle]

    @extend_schema(
        responses=inline_serializer(
            "SeatMap", {"event_id": serializers.IntegerField(), "seats": SeatOutput(many=True)}
        )
    )
    def get(self, request, event_id: int):
        user_id = request.user.pk if request.user.is_authenticated else None
        seats = selectors.seat_map_get(event_id=event_id)
        body = orjson.dumps(presenters.seat_map_json(event_id, seats, user_id=user_id))
        coding = coding_for(request.headers.get("Accept-Encoding", ""), SEAT_LIST_CODINGS)
        response = HttpResponse(compressed(body, coding), content_type="application/json")
        if coding != IDENTITY:
            response["Content-Encoding"] = coding
        response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ["Accept-Encoding"])
        return response


class SeatPlanApi(APIView):
    """The seat map's static part, all seats in columns: built and compressed once per version
    of the event's map (map_document.py), revalidated by ETag."""

    throttle_classes = [ReadThrottle]

    @extend_schema(
        responses={200: map_presenters.SeatPlanOutput, 304: None},
        parameters=[OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER)],
    )
    def get(self, request, event_id: int):
        return document_response(request, SEAT_MAP, event_id=event_id)


class LayoutApi(APIView):
    """The room's drawing (a 20,000-seat plan is ~1 MB): built once as the seat map is."""

    throttle_classes = [ReadThrottle]

    @extend_schema(
        responses={200: map_presenters.LayoutOutput, 304: None},
        parameters=[OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER)],
    )
    def get(self, request, event_id: int):
        return document_response(request, LAYOUT, event_id=event_id)


# --- Reservations --------------------------------------------------------------------------


class HoldRunOutput(serializers.Serializer):
    """GET /api/events/{id}/holds/run/ (API.md "Rules")."""

    run_ends_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the caller's run of holds of the event reaches SEAT_HOLD_MAX_SECONDS; "
        "null when no run is going on, or it has reached it.",
    )
    hold_again_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Only while the caller may not hold seats of the event (a lock would be "
        "409 hold_cap_reached): when they may again, as that refusal says.",
    )
    held = serializers.IntegerField(help_text="Seats of the event the caller holds now.")
    booked = serializers.IntegerField(help_text="Seats of the event the caller has booked.")
    purchase_limit = serializers.IntegerField(
        help_text="The most seats of the event one buyer may hold and have booked together."
    )
    hold_limit = serializers.IntegerField(help_text="The most seats one buyer may hold at once.")
    may_take = serializers.IntegerField(
        help_text="How many more seats the caller may hold now under both limits: "
        "min(hold_limit - held, purchase_limit - held - booked), never below 0."
    )
    most_at_once = serializers.IntegerField(
        help_text="The most seats the caller could hold at once, once they let go of what they "
        "hold (booking makes no room): min(hold_limit, purchase_limit - booked), never below 0."
    )


class HoldRunApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=HoldRunOutput)
    def get(self, request, event_id: int):
        hold_run = selectors.hold_run_get(user=request.user, event_id=event_id)
        return Response(HoldRunOutput(hold_run).data)


class ReservationListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reservations_list",
        parameters=PAGE_PARAMETERS,
        responses=page_of(ReservationOutput(many=True)),
    )
    def get(self, request):
        reservations = selectors.reservation_list(user=request.user)
        return paginated(request, self, reservations, ReservationOutput)


class ReservationDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ReservationOutput)
    def get(self, request, reservation_id: int):
        reservation = selectors.reservation_get(user=request.user, reservation_id=reservation_id)
        return Response(ReservationOutput(reservation).data)


class ReservationCalendarApi(APIView):
    """The booking as a calendar file (RFC 5545): one VEVENT; someone else's is 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reservations_calendar_retrieve",
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request, reservation_id: int):
        reservation = selectors.reservation_get(user=request.user, reservation_id=reservation_id)
        return calendar_response(reservation)


# --- Operations ----------------------------------------------------------------------------


class LivenessApi(APIView):
    """Anyone's: the process answers. Names no dependency and asks none (no login, no limit)."""

    authentication_classes = []
    throttle_classes = []

    @extend_schema(responses=inline_serializer("Liveness", {"status": serializers.CharField()}))
    def get(self, request):
        return Response({"status": "ok"})


class HealthApi(APIView):
    """Every dependency by name: the operator's, as the metrics are (metrics_access.py)."""

    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "database": serializers.CharField(),
                "channel_layer": serializers.CharField(),
                # Only when PROMETHEUS_MULTIPROC_DIR is set (reservations/metrics.py).
                "metrics": serializers.CharField(required=False),
            },
        )
    )
    def get(self, request):
        if not scrape_allowed(request):
            return error_response(403, "forbidden", "The detailed health is the operator's.")
        report = health_report()
        if all(state == "ok" for state in report.values()):
            response = Response(report)
        else:
            down = ", ".join(part for part, state in report.items() if state == "down")
            response = error_response(503, "unavailable", f"Down: {down}.", **report)
        response["X-Seatmap-Engines"] = engines()
        return response


class ApiNotFound(APIView):
    """Any other path under /api/, with any method."""

    def dispatch(self, request, *args, **kwargs):
        return error_response(404, "not_found", "There is no such API route.")
