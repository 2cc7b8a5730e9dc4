"""The OpenAPI document at `/api/schema/`, built once per process, and the error answers of
every operation in it (docs/API.md "Errors").

drf-spectacular documents what a view returns when it succeeds; what it refuses with comes from
one table here, so a client generated from `/api/schema/` knows every status the API really
answers, each with API.md's error body. `make test` holds the document to the running server
with schemathesis (reservations/tests/test_openapi.py).
"""

import functools

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView


class SchemaApi(SpectacularAPIView):
    """``GET /api/schema/``. The document changes only with the code, and building it costs
    ~40 ms of CPU and writing it as YAML ~30 ms more: anyone could keep a server busy asking
    for it. Each process builds it once, and writes it once per format (YAML, JSON)."""

    def _get_schema_response(self, request):
        renderer = request.accepted_renderer
        body = _document(type(renderer), renderer.media_type)
        charset = f"; charset={renderer.charset}" if renderer.charset else ""
        return HttpResponse(
            body,
            content_type=f"{renderer.media_type}{charset}",
            headers={
                "Content-Disposition": f'inline; filename="{self._get_filename(request, None)}"'
            },
        )


@functools.cache  # one entry per renderer of SchemaApi: its keys are the view's own classes
def _document(renderer_class, media_type: str) -> bytes:
    return renderer_class().render(_schema(), media_type)


@functools.cache
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


# Each operation's own refusals, by operationId (docs/API.md's table says when each comes).
_REFUSALS = {
    "csrf_retrieve": (),
    "events_list": (404, 429),  # a page past the last
    "events_retrieve": (404, 429),
    "events_seats_retrieve": (404, 429),
    "events_lock_create": (400, 401, 403, 404, 409, 429),
    "events_reserve_create": (400, 401, 403, 404, 409, 422, 429),
    "events_seats_lock_create": (400, 401, 403, 404, 409, 429),
    "events_seats_unlock_create": (400, 401, 403, 404, 409, 429),
    "events_seats_extend_create": (400, 401, 403, 404, 409, 429),
    "events_layout_retrieve": (404, 429),
    "events_map_retrieve": (404, 429),
    "events_state_retrieve": (404,),
    "events_holds_retrieve": (401, 403, 404),
    "events_holds_run_retrieve": (401, 403, 404),
    # 404 also for a grid event, which has no layout
    "events_best_create": (400, 401, 403, 404, 409, 429),
    "health_retrieve": (403,),  # the operator's, as the metrics are
    "events_inventory_retrieve": (403, 404),  # the operator's too
    "health_live_retrieve": (),
    "login_create": (400, 401, 403, 429),
    "logout_create": (400, 403),
    "me_retrieve": (401, 403),
    "me_email": (400, 401, 403, 429),
    "me_email_resend": (400, 401, 403, 409, 429),
    "verify_email": (400, 403, 409),
    "register_create": (400, 403, 429),
    "reservations_list": (401, 403, 404),
    "reservations_retrieve": (401, 403, 404),
    "reservations_calendar_retrieve": (401, 403, 404),
    "reservations_cancel_create": (400, 401, 403, 404, 409, 429),
    "reservations_pay_create": (401, 403, 404, 409),
    "payments_stripe_create": (400,),
    "reservations_tickets_retrieve": (401, 403, 404),
    "door_events_scans_create": (400, 401, 403, 409),
    "door_events_keys_retrieve": (401, 403),
    "door_events_counts_retrieve": (401, 403),
    "token_create": (400, 401, 403, 429),
    "token_refresh_create": (400, 401, 429),
    "token_cookie_create": (400, 401, 403, 429),
    "token_cookie_refresh_create": (401, 403, 429),
    # The waiting room: no_queue (404) for an event without one.
    "queue_state": (401, 404, 429),
    "queue_join": (400, 401, 403, 404, 409, 429),
    "queue_claim": (400, 401, 403, 404, 409, 429),
    "queue_extend": (400, 401, 403, 404, 409, 429),
    "queue_proof": (404, 429),
    "queue_proof_late": (400, 404, 429),
    # The organiser's console: forbidden (403) to a role that may not.
    "staff_events_sale_retrieve": (401, 403, 404),
    "staff_events_off_sale_list": (401, 403, 404),
    "staff_events_off_sale_take_create": (400, 401, 403, 404, 409),
    "staff_events_off_sale_release_create": (400, 401, 403, 404),
    "staff_events_box_office_create": (400, 401, 403, 404, 409),
    "staff_events_bookings_retrieve": (400, 401, 403, 404),
    "staff_reservations_retrieve": (401, 403, 404),
    "staff_reservations_reseat_create": (400, 401, 403, 404, 409),
    "staff_reservations_refund_create": (400, 401, 403, 404, 409),
    "staff_reservations_paid_create": (400, 401, 403, 404, 409),
    "staff_events_limits_retrieve": (401, 403, 404),
    "staff_events_limits_partial_update": (400, 401, 403, 404),
    "staff_events_export_retrieve": (401, 403, 404),
}
# What any operation may answer: the database out of reach; and for a body, too slow or too big.
_ANY = (503,)
_WITH_BODY = (408, 413)

_REASONS = {  # each names its codes as API.md's "Errors" does (tests/test_api_doc.py)
    400: "`invalid`: malformed JSON, wrong types, missing fields; "
    "`verification_link_invalid`: an e-mail verification link that is not ours or too old; "
    "`invalid_signature`: a payment provider's notification its signature does not hold; "
    "`invalid_ticket`: a ticket code that is not one of the event's (forged, cut short)",
    401: "`not_authenticated` or `invalid_credentials`",
    403: "`forbidden`: a console route the caller's role may not use; "
    "`csrf_failed`: a session request without a valid CSRF token; `origin_not_allowed`: a "
    "cookie route (refresh, logout) called from a page of an origin the server does not trust; "
    "`queue_turn_required`, `queue_turn_expired`: a hold without a running turn of the event's "
    "waiting room; `email_unverified`: a hold or a join by an account whose e-mail address is "
    "not verified, where the organiser asks for it; `challenge_required`: a login, "
    "registration or join without a solved proof-of-work challenge, where one is asked for; "
    "`amount_above_total`: a box-office amount above the seats' total, from staff who are not "
    "a Manager, or a payment recorded above what the order costs",
    404: "`not_found` (for a list: a page past the last); `no_queue`, `not_in_queue`: the "
    "waiting room",
    408: "`request_timeout`: the body did not arrive in time",
    409: "a booking rule refused it (`seat_unavailable`, `hold_limit`, `purchase_limit`, "
    "`not_holder`, `lock_required`, `already_cancelled`, `too_late_to_cancel`, "
    "`hold_cap_reached`, `sale_ended`, "
    "`address_hold_limit`, `seat_pass_refused`, `no_block`, `orphan_seat`, "
    "`companion_requires_accessible`, `price_changed`); `refund_too_large`: a refund past what "
    "the booking took; paying: `awaiting_payment` (staff change an order not paid yet), "
    "`not_awaiting_payment` (pay for an order paid, expired or cancelled), `payment_refused` "
    "(the provider would not start it); a ticket at the "
    "door: `wrong_event`, `revoked`, `unpaid`, `already_inside`, `not_inside`; the waiting "
    "room's: `queue_not_open`, `sold_out`, `not_your_turn`, "
    "`turn_lapsed`, `turn_extended`; the account's e-mail: `no_email`, "
    "`email_already_verified`, `email_taken`",
    413: f"`too_large`: a body over {settings.API_MAX_BODY_BYTES // 1024} KiB",
    422: "`idempotency_mismatch`: an Idempotency-Key reused with another body",
    429: "`throttled`: come back after Retry-After seconds",
    503: "`unavailable`: the database (or, for state/ and holds/, the live feed) is out of "
    "reach (Retry-After: 1); "
    "`login_busy`: a login door while every password-hashing slot is busy (Retry-After: 1)",
}

# The operator's routes, let in as the metrics are (metrics_access.py).
_OPERATORS = {"health_retrieve", "events_inventory_retrieve"}
_OPERATORS_ONLY = (
    "`forbidden`: from outside METRICS_ALLOWED_NETWORKS without `Authorization: Bearer "
    "<METRICS_TOKEN>`"
)

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "a sentence a person can read"},
        "code": {"type": "string", "description": "a stable machine code"},
    },
    "required": ["error", "code"],
    "additionalProperties": True,
}


def error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add each operation's error answers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = set(_REFUSALS.get(operation.get("operationId"), ())) | set(_ANY)
            if method in ("post", "put", "patch"):
                statuses |= set(_WITH_BODY)
            responses = operation.setdefault("responses", {})
            if operation.get("operationId") in _OPERATORS:
                responses["403"] = {"description": _OPERATORS_ONLY, "content": error}
            if operation.get("operationId") == "health_retrieve":
                # Health says what is down in its own shape, with 503.
                responses["503"] = {**responses["200"], "description": "something is down"}
            for status in sorted(statuses):
                if str(status) in responses:
                    continue
                responses[str(status)] = {"description": _REASONS[status], "content": error}
    return result
