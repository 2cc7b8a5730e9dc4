from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from reservations import path_ids  # noqa: F401  (the `id` converter of the routes)

from . import (
    account_views,
    browser_tokens,
    console_views,
    door_views,
    live_views,
    payment_views,
    queue_views,
    views,
)
from .inventory_views import InventoryApi
from .login_limits import login_door
from .metrics_views import MetricsApi
from .openapi import SchemaApi
from .operation_views import OPERATION_ROUTES

urlpatterns = [
    path("csrf/", views.CsrfApi.as_view()),
    path("register/", login_door(views.RegisterApi.as_view(), every_attempt=True)),
    path("login/", login_door(views.LoginApi.as_view())),
    path("logout/", views.LogoutApi.as_view()),
    path("me/", views.MeApi.as_view()),
    path("me/email/", account_views.EmailChangeApi.as_view()),
    path("me/email/resend/", account_views.VerificationResendApi.as_view()),
    path("verify-email/", account_views.EmailVerifyApi.as_view()),
    path("token/", login_door(views.TokenObtainApi.as_view())),
    path("token/refresh/", views.TokenRefreshApi.as_view()),
    path("token/cookie/", login_door(browser_tokens.BrowserTokenObtainApi.as_view())),
    path("token/cookie/refresh/", browser_tokens.BrowserTokenRefreshApi.as_view()),
    path("events/", views.EventListApi.as_view()),
    path("events/<id:event_id>/", views.EventDetailApi.as_view()),
    path("events/<id:event_id>/seats/", views.SeatListApi.as_view()),
    path("events/<id:event_id>/layout/", views.LayoutApi.as_view()),
    path("events/<id:event_id>/map/", views.SeatPlanApi.as_view()),
    # Answered on the loop (live_reads.py); these are for the schema and a process without it.
    path("events/<id:event_id>/state/", live_views.LiveStateApi.as_view()),
    path("events/<id:event_id>/holds/", live_views.OwnHoldsApi.as_view()),
    path("events/<id:event_id>/holds/run/", views.HoldRunApi.as_view()),
    path("events/<id:event_id>/queue/", queue_views.QueueStateApi.as_view()),
    path("events/<id:event_id>/queue/join/", queue_views.QueueJoinApi.as_view()),
    path("events/<id:event_id>/queue/claim/", queue_views.QueueClaimApi.as_view()),
    path("events/<id:event_id>/queue/extend/", queue_views.QueueExtendApi.as_view()),
    path("events/<id:event_id>/queue/proof/", queue_views.QueueProofApi.as_view()),
    path("events/<id:event_id>/queue/proof/late/", queue_views.QueueProofLateApi.as_view()),
    path("events/<id:event_id>/inventory/", InventoryApi.as_view()),
    path("reservations/", views.ReservationListApi.as_view()),
    path("reservations/<id:reservation_id>/", views.ReservationDetailApi.as_view()),
    path("reservations/<id:reservation_id>/calendar.ics", views.ReservationCalendarApi.as_view()),
    path("reservations/<id:reservation_id>/pay/", payment_views.PayApi.as_view()),
    path("payments/stripe/", payment_views.StripeNotificationApi.as_view()),
    path("reservations/<id:reservation_id>/tickets/", door_views.TicketsApi.as_view()),
    path("door/events/<id:event_id>/keys/", door_views.DoorKeysApi.as_view()),
    path("door/events/<id:event_id>/counts/", door_views.DoorCountsApi.as_view()),
    # The booking calls, one row each in operations.py.
    *(path(route, view.as_view()) for route, view in OPERATION_ROUTES),
    # The organiser's console (console_views.py), staff with a role only.
    path("staff/events/<id:event_id>/sale/", console_views.SaleApi.as_view()),
    path("staff/events/<id:event_id>/off-sale/", console_views.OffSaleApi.as_view()),
    path("staff/events/<id:event_id>/off-sale/take/", console_views.OffSaleChangeApi.as_view()),
    path("staff/events/<id:event_id>/off-sale/release/", console_views.ReleaseApi.as_view()),
    path("staff/events/<id:event_id>/box-office/", console_views.BoxOfficeApi.as_view()),
    path("staff/events/<id:event_id>/bookings/", console_views.BookingListApi.as_view()),
    path("staff/events/<id:event_id>/limits/", console_views.LimitsApi.as_view()),
    path(
        "staff/events/<id:event_id>/export/<str:what>.<str:file_type>",
        console_views.ExportApi.as_view(),
    ),
    path("staff/reservations/<id:reservation_id>/", console_views.BookingDetailApi.as_view()),
    path("staff/reservations/<id:reservation_id>/reseat/", console_views.ReseatApi.as_view()),
    path("staff/reservations/<id:reservation_id>/refund/", console_views.RefundApi.as_view()),
    path("health/", views.HealthApi.as_view()),
    path("health/live/", views.LivenessApi.as_view()),
    path("metrics/", MetricsApi.as_view()),
    path("schema/", SchemaApi.as_view(), name="schema"),
    # Swagger UI's script comes as a file of its own (CSP: no inline script); its page keeps
    # one small inline <style>.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
    ),
    # Any other path, with any character in it (`.` would not take a newline).
    re_path(r"^[\s\S]*$", views.ApiNotFound.as_view()),
]
