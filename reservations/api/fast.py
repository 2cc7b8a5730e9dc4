"""The fast path of an on-sale: every booking call with a bearer token, on the loop.

At an on-sale nearly every request is one of five calls with a bearer token: `POST
.../seats/{id}/lock/` or `.../unlock/`, lock several (`POST /api/events/{id}/lock/`), reserve
(`POST /api/events/{id}/reserve/`) and cancel (`POST /api/reservations/{id}/cancel/`). Through
Django's request cycle (middleware, DRF, the ORM, a worker thread) one costs ~2.6 ms of CPU (a
reserve several times that); here the same booking steps (`services.hold_one_steps`,
`release_one_steps`, `hold_all_steps`, `reserve_steps`, `cancel_steps`) run on an async psycopg
connection on the server's event loop, driven by `services.runner.run_async`. Nothing about
the answer changes: the same token check (simplejwt's validation, done once per token until it
expires, with the account checked under the user row lock the steps take), the same booking
limits, the same body checks (`inputs.py`), the same JSON bodies and errors
(`presenters.seat_action_json`, `seats_lock_json`, `booking_json`: ReservationOutput's,
`errors.exception_response`), the same headers, the same `Idempotency-Key` semantics, the same
announcement after commit (`signals.seats_changed_committed`).

config/asgi.py mounts it in front of Django's HTTP app.

Browsers send an `Origin` header with every POST; the shipped client's calls (a bearer token,
reservations/api/browser_tokens.py) are answered here too, with the CORS headers that
django-cors-headers itself computes for that origin (its preflight stays Django's). Every answer
of the fast path says so in `X-Seatmap-Path: fast`.

Anything else goes to Django untouched: other routes and methods, requests without a bearer
token (sessions and CSRF are Django's), a host not in ALLOWED_HOSTS, plain HTTP where HTTPS is
required.
"""

import asyncio
import functools
import io
import re
import time

import orjson
import psycopg
from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host
from psycopg_pool import AsyncConnectionPool
from rest_framework import exceptions as drf_exceptions
from rest_framework.parsers import JSONParser
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from reservations import services
from reservations.services.runner import run_async
from reservations.signals import seats_changed_committed

from .booking_limits import booking_allowed_async
from .client_address import scope_client_address
from .errors import exception_response, too_large_response
from .inputs import SeatActionInput, SeatIdsInput, idempotency_key_of, plain_seat_ids
from .presenters import (
    booking_json,
    reservation_cancelled_json,
    reservation_created_json,
    seat_action_json,
    seats_lock_json,
)

# Tells a client (and the browser tests) that an answer came from here, not through Django.
PATH_HEADER = (b"x-seatmap-path", b"fast")
# Ids of at most 18 digits fit PostgreSQL's bigint; longer ones go to Django (a JSON 404).
_SEAT_ROUTE = re.compile(r"/api/events/([0-9]{1,18})/seats/([0-9]{1,18})/(lock|unlock)/")
_EVENT_ROUTE = re.compile(r"/api/events/([0-9]{1,18})/(lock|reserve)/")
_CANCEL_ROUTE = re.compile(r"/api/reservations/([0-9]{1,18})/cancel/")
_jwt = JWTAuthentication()
_ONE_SEAT_STEPS = {"lock": services.hold_one_steps, "unlock": services.release_one_steps}


def _route(path: str) -> tuple[str, tuple[int, ...]] | None:
    """(the call, its ids) of a path the fast path serves, else None."""
    if not path.startswith("/api/"):
        return None
    if match := _SEAT_ROUTE.fullmatch(path):
        return match[3], (int(match[1]), int(match[2]))
    if match := _EVENT_ROUTE.fullmatch(path):
        return ("lock_several" if match[2] == "lock" else "reserve"), (int(match[1]),)
    if match := _CANCEL_ROUTE.fullmatch(path):
        return "cancel", (int(match[1]),)
    return None


def _conninfo() -> str:
    db = settings.DATABASES["default"]
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": db.get("PORT"),
    }
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items() if v})


def _common_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    """What Django's middleware adds to an API answer (compared in test_fast.py)."""
    headers = [
        (b"content-type", b"application/json"),
        (b"allow", b"POST, OPTIONS"),
        (b"vary", b"origin"),
        (b"x-frame-options", settings.X_FRAME_OPTIONS.encode()),
    ]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append((b"x-content-type-options", b"nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append((b"referrer-policy", settings.SECURE_REFERRER_POLICY.encode()))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        policy = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY.encode()
        headers.append((b"cross-origin-opener-policy", policy))
    if secure and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append((b"strict-transport-security", hsts.encode()))
    return headers


@functools.lru_cache(maxsize=256)
def cors_headers_for(origin: str) -> tuple[tuple[bytes, bytes], ...]:
    """The access-control headers django-cors-headers adds to a POST answer for this origin
    (none for an origin it does not allow). They depend on the origin alone: every fast route is
    under /api/, where CORS_URLS_REGEX is applied."""
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = "/api/"
    request.META["HTTP_ORIGIN"] = origin
    response = HttpResponse()
    CorsMiddleware(lambda _: response).add_response_headers(request, response)
    return tuple(
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.items()
        if name.lower().startswith("access-control-")
    )


class FastSeatActions:
    """ASGI middleware in front of Django's HTTP app; see the module docstring."""

    def __init__(self, django_app):
        self.django_app = django_app
        self.pool: AsyncConnectionPool | None = None
        self._pool_loop: asyncio.AbstractEventLoop | None = None
        self.enabled = settings.HOLD_FAST_PATH and settings.DATABASES["default"]["ENGINE"].endswith(
            "postgresql"
        )
        proxy_header = settings.SECURE_PROXY_SSL_HEADER
        self._proxy_header = (
            (
                proxy_header[0].removeprefix("HTTP_").replace("_", "-").lower().encode(),
                proxy_header[1],
            )
            if proxy_header
            else None
        )
        self._www_authenticate = _jwt.authenticate_header(None).encode()

    async def __call__(self, scope, receive, send):
        request = self._claim(scope) if self.enabled else None
        if request is None:
            return await self.django_app(scope, receive, send)
        call, ids, token, secure, origin = request
        status, body, extra = await self._answer(receive, scope, call=call, ids=ids, token=token)
        headers = _common_headers(secure) + extra + [(b"content-length", str(len(body)).encode())]
        if origin is not None:
            headers.extend(cors_headers_for(origin))
        headers.append(PATH_HEADER)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _claim(self, scope):
        """(call, ids, token, secure, origin) if this request is ours, else None."""
        if scope["type"] != "http" or scope["method"] != "POST":
            return None
        route = _route(scope["path"])
        if route is None:
            return None
        token = host = origin = None
        forwarded_proto = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value
            elif name == b"host":
                host = value.decode("latin-1")
            elif name == b"origin":
                origin = value.decode("latin-1")
            elif self._proxy_header and name == self._proxy_header[0]:
                forwarded_proto = value.decode("latin-1")
        if token is None:
            return None
        kind, _, raw = token.partition(b" ")
        if kind not in AUTH_HEADER_TYPE_BYTES or not raw:
            return None
        domain, _ = split_domain_port(host or "")
        if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
            return None
        secure = scope.get("scheme") == "https" or (
            self._proxy_header is not None and forwarded_proto == self._proxy_header[1]
        )
        if settings.SECURE_SSL_REDIRECT and not secure:
            return None
        return *route, raw.decode("latin-1"), secure, origin

    async def _answer(self, receive, scope, *, call, ids, token):
        body = await _read_body(receive, scope)
        if body is None:
            return _as_asgi(too_large_response())
        try:
            user_id = _user_id(token)
            verdict = await booking_allowed_async(user_id, scope_client_address(scope))
            if not verdict.allowed:
                raise drf_exceptions.Throttled(wait=verdict.wait)
            data = _body_data(body, scope)
            if call in _ONE_SEAT_STEPS:
                return await self._one_seat(call, user_id, *ids, data)
            if call == "lock_several":
                return await self._lock_several(user_id, *ids, data)
            if call == "reserve":
                return await self._reserve(user_id, *ids, data, scope)
            return await self._cancel(user_id, *ids, data)
        except Exception as exc:  # every error in the API's one shape (errors.py)
            status, body, extra = _as_asgi(exception_response(exc))
            if status == 401:  # as DRF adds it for a bearer-token API
                extra.append((b"www-authenticate", self._www_authenticate))
            return status, body, extra

    # Each call as its Django view makes it (views.py): check the body, run the steps, announce
    # what changed once committed, answer.

    async def _one_seat(self, action, user_id, event_id, seat_id, data):
        _no_fields(data)
        outcome = await self._run(
            _ONE_SEAT_STEPS[action](user_id=user_id, event_id=event_id, seat_id=seat_id)
        )
        seats_changed_committed(event_id=event_id, seats=outcome.changed)
        return 200, _json(seat_action_json(action, outcome.seats[0], user_id=user_id)), []

    async def _lock_several(self, user_id, event_id, data):
        steps = services.hold_all_steps(
            user_id=user_id, event_id=event_id, seat_ids=_seat_ids(data)
        )
        outcome = await self._run(steps)
        seats_changed_committed(event_id=event_id, seats=outcome.changed)
        return 200, _json(seats_lock_json(outcome.seats, user_id=user_id)), []

    async def _reserve(self, user_id, event_id, data, scope):
        seat_ids = _seat_ids(data)
        key = idempotency_key_of(_header(scope, "IDEMPOTENCY_KEY"))
        steps = services.reserve_steps(
            user_id=user_id, event_id=event_id, seat_ids=seat_ids, idempotency_key=key
        )
        outcome = await self._run(steps)
        seats_changed_committed(event_id=event_id, seats=outcome.changed)
        extra = [(b"idempotent-replayed", b"true")] if outcome.replayed else []
        return 201, _json(reservation_created_json(booking_json(outcome.booking))), extra

    async def _cancel(self, user_id, reservation_id, data):
        _no_fields(data)
        outcome = await self._run(
            services.cancel_steps(user_id=user_id, reservation_id=reservation_id)
        )
        seats_changed_committed(event_id=outcome.booking.event_id, seats=outcome.changed)
        return 200, _json(reservation_cancelled_json(booking_json(outcome.booking))), []

    async def _run(self, steps):
        """Drive the booking steps on a pooled async connection, in one transaction."""
        pool = await self._pool()
        async with pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            return await run_async(steps, cursor)

    async def _pool(self) -> AsyncConnectionPool:
        loop = asyncio.get_running_loop()
        if self.pool is None or self._pool_loop is not loop:
            self._pool_loop = loop
            self.pool = AsyncConnectionPool(
                _conninfo(),
                min_size=1,
                max_size=settings.FAST_PATH_DB_POOL_MAX,
                timeout=settings.DB_POOL_TIMEOUT,
                open=False,
            )
            await self.pool.open()
        return self.pool


def _user_id(token: str) -> int:
    """The token's user id, validated by simplejwt as for every other API request."""
    try:
        user_id, expires_at = _validated_claims(token)
    except (KeyError, ValueError, TypeError) as exc:  # a token without a usable user id
        raise InvalidToken() from exc
    if expires_at <= time.time():
        raise InvalidToken()
    return user_id


@functools.lru_cache(maxsize=65536)
def _validated_claims(token: str) -> tuple[int, float]:
    """A token checked once stays good until it expires (access tokens are not revocable;
    the account itself is checked under its row lock on every request), so a clicker's
    signature is verified once, not on every click: that was a tenth of a hold's CPU."""
    validated = _jwt.get_validated_token(token)
    return int(validated[jwt_settings.USER_ID_CLAIM]), float(validated["exp"])


async def _read_body(receive, scope) -> bytes | None:
    """The request's body, or None when it is over API_MAX_BODY_BYTES."""
    limit = settings.API_MAX_BODY_BYTES
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            return None
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


# orjson reads integers past 64 bits as floats, where DRF's parser (Python's json) keeps them.
_LONG_NUMBER = re.compile(rb"[0-9]{20}")


def _body_data(body: bytes, scope):
    """The body as DRF's request.data has it: {} without a body or a content type, else JSON
    only (refused with DRF's errors). orjson reads it; what orjson refuses or would read
    otherwise is left to DRF's own parser."""
    content_type = next((v for n, v in scope["headers"] if n == b"content-type"), None)
    if not body or content_type is None:  # DRF reads no body without a content type
        return {}
    if content_type.partition(b";")[0].strip().lower() != b"application/json":
        raise drf_exceptions.UnsupportedMediaType(content_type.decode("latin-1"))
    if not _LONG_NUMBER.search(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return JSONParser().parse(io.BytesIO(body), parser_context={})


def _no_fields(data) -> None:
    """Lock, unlock and cancel take no fields, but a body must still be a JSON object."""
    if data != {}:
        SeatActionInput(data=data).is_valid(raise_exception=True)


def _seat_ids(data) -> list[int]:
    """Lock several's and reserve's seat ids, as SeatIdsInput takes them."""
    seat_ids = plain_seat_ids(data)
    if seat_ids is None:
        serializer = SeatIdsInput(data=data)
        serializer.is_valid(raise_exception=True)
        seat_ids = serializer.validated_data["seat_ids"]
    return seat_ids


def _header(scope, meta_name: str) -> str | None:
    """A request header as Django's request.headers reads it behind this server (a2wsgi: names
    as in WSGI's environ, repeated headers joined by commas)."""
    values = [
        value.decode("latin-1")
        for name, value in scope["headers"]
        if name.decode("latin-1").upper().replace("-", "_") == meta_name
    ]
    return ",".join(values) if values else None


def _json(body: dict) -> bytes:
    """The body as DRF's JSONRenderer writes it: compact, UTF-8, U+2028 and U+2029 escaped."""
    return (
        orjson.dumps(body)
        .replace("\u2028".encode(), b"\\u2028")
        .replace("\u2029".encode(), b"\\u2029")
    )


def _as_asgi(response) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    extra = [
        (name.lower().encode(), value.encode())
        for name, value in response.items()
        if name.lower() not in {"content-type", "content-length"}
    ]
    return response.status_code, response.content, extra
