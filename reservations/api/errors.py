"""One error shape for everything under /api/: ``{"error": sentence, "code": machine code}``.

Domain errors carry their own code; DRF's and Django's errors are translated here; anything
else is a bug: logged with its trace, answered 500 without a word of its text.
"""

import logging

import psycopg
import redis
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf

from reservations.exceptions import BookingError
from reservations.live_seats import LiveMapsUnavailable

logger = logging.getLogger("reservations.api")


class CsrfFailed(drf.PermissionDenied):
    default_code = "csrf_failed"


class OriginNotAllowed(drf.PermissionDenied):
    """A cookie route called from a page of an origin this server does not trust (origins.py)."""

    default_code = "origin_not_allowed"


class InvalidCredentials(drf.AuthenticationFailed):
    """Login with a wrong username or password (simplejwt says `no_active_account`)."""

    default_code = "invalid_credentials"


def error_response(
    status: int, code: str, message: str, *, headers=None, **details
) -> JsonResponse:
    body = {"error": message, "code": code, **details}
    return JsonResponse(body, status=status, headers=headers)


def _first_validation_message(detail, prefix: str = "") -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            name = "" if field == "non_field_errors" else f"{prefix}{field}"
            return _first_validation_message(value, f"{name}: " if name else "")
    if isinstance(detail, list) and detail:
        return _first_validation_message(detail[0], prefix)
    return f"{prefix}{detail}"


def exception_response(exc: BaseException) -> JsonResponse:
    """The API's answer to any exception, raised in a DRF view or anywhere else under /api/."""
    if isinstance(exc, BookingError):
        return error_response(exc.status_code, exc.code, exc.message, **exc.details)
    if isinstance(exc, drf.ValidationError):
        message = _first_validation_message(exc.detail)
        return error_response(400, "invalid", message, fields=exc.detail)
    if isinstance(exc, drf.ParseError):
        return error_response(400, "invalid", "The request body is not valid JSON.")
    if isinstance(exc, drf.UnsupportedMediaType):
        return error_response(400, "invalid", "Send the request body as application/json.")
    if isinstance(exc, InvalidCredentials) or (
        isinstance(exc, drf.AuthenticationFailed) and "no_active_account" in str(exc.get_codes())
    ):
        return error_response(401, "invalid_credentials", "Wrong username or password.")
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        headers = (
            {"WWW-Authenticate": exc.auth_header} if getattr(exc, "auth_header", None) else None
        )
        return error_response(
            401, "not_authenticated", "Log in, or send a valid bearer token.", headers=headers
        )
    if isinstance(exc, CsrfFailed):
        return error_response(
            403, "csrf_failed", "CSRF token missing or wrong: send the X-CSRFToken header."
        )
    if isinstance(exc, OriginNotAllowed):
        return error_response(
            403, "origin_not_allowed", "Requests from this page's origin are not accepted here."
        )
    if isinstance(exc, drf.PermissionDenied):
        said = str(exc.detail)  # ours say which role is missing; DRF's own say nothing useful
        message = said if said.startswith("Your role") else "You may not do this."
        return error_response(403, "forbidden", message)
    if isinstance(exc, Http404 | drf.NotFound):
        return error_response(404, "not_found", "Not found.")
    if isinstance(exc, drf.MethodNotAllowed):
        return error_response(405, "method_not_allowed", "This route does not take that method.")
    if isinstance(exc, drf.Throttled):
        wait = max(int(exc.wait or 1), 1)
        return error_response(
            429,
            "throttled",
            f"Too many requests; try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, RequestDataTooBig):
        return too_large_response()
    # psycopg's own errors reach here from the fast path (reservations/api/fast.py), which
    # talks to PostgreSQL without Django's wrappers; a full pool is one of them (PoolTimeout).
    # PgBouncer without a server for a query (PostgreSQL away) answers with a protocol error,
    # class 08: an OperationalError too. A pooled connection PostgreSQL closed under a query is
    # psycopg's InterfaceError ("the connection is closed"), not Django's.
    closed = psycopg.InterfaceError
    if isinstance(exc, OperationalError | InterfaceError | psycopg.OperationalError | closed):
        logger.error("database unavailable: %s", exc)
        return unavailable_response()
    # Redis out of reach under a read that needs it (the live map's `state/` and `holds/` wait
    # for the process's feed): 503 as for the database, never 500 (API.md "When Redis is gone").
    # Not logged per call: the relay logs the outage.
    if isinstance(exc, redis.RedisError | TimeoutError | LiveMapsUnavailable):
        return unavailable_response()
    if isinstance(exc, DatabaseError):
        logger.exception("database error")
        return server_error_response()
    logger.error("unhandled error in the API", exc_info=exc)
    return server_error_response()


def too_large_message() -> str:
    return f"The request body is over {settings.API_MAX_BODY_BYTES // 1024} KiB."


def too_large_response() -> JsonResponse:
    return error_response(413, "too_large", too_large_message())


def unavailable_response() -> JsonResponse:
    """What a caller is told while the database or Redis is away: to come back in a second,
    when a restarted PostgreSQL, PgBouncer or Redis is usually back (the pools reconnect on
    their own)."""
    return error_response(
        503,
        "unavailable",
        "The service is briefly unavailable; try again.",
        headers={"Retry-After": "1"},
    )


def server_error_response() -> JsonResponse:
    return error_response(500, "server_error", "Something went wrong on our side; it was logged.")


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error of every API view leaves through here."""
    return exception_response(exc)
