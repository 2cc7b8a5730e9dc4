"""The fast path of an on-sale: lock and unlock of one seat with a bearer token, on the loop.

At an on-sale nearly every request is `POST .../seats/{id}/lock/` or `.../unlock/` with a
bearer token. Through Django's request cycle (middleware, DRF, the ORM, a worker thread) one
costs ~2.6 ms of CPU; here the same booking steps (`services.hold_one_steps`,
`services.release_one_steps`) run on an async psycopg connection on the server's event loop,
driven by `services.runner.run_async`. Nothing about the answer changes: the same token check
(simplejwt's validation, done once per token until it expires, with the account checked under
the user row lock the steps take), the same JSON bodies and errors
(`presenters.seat_action_json`, `errors.exception_response`), the same headers, the same
announcement after commit (`signals.seats_changed_committed`).

config/asgi.py mounts it in front of Django's HTTP app.

Anything else goes to Django untouched: other routes and methods, requests without a bearer
token (sessions and CSRF are Django's), cross-origin requests (CORS is Django's), a host not in
ALLOWED_HOSTS, plain HTTP where HTTPS is required.
"""

import asyncio
import functools
import re
import time

import orjson
import psycopg
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from psycopg_pool import AsyncConnectionPool
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from reservations import services
from reservations.services.runner import run_async
from reservations.signals import seats_changed_committed

from .errors import exception_response, too_large_response
from .presenters import seat_action_json

_ROUTE = re.compile(r"/api/events/([0-9]+)/seats/([0-9]+)/(lock|unlock)/")
_jwt = JWTAuthentication()
_STEPS = {"lock": services.hold_one_steps, "unlock": services.release_one_steps}


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
        event_id, seat_id, action, token, secure = request
        status, body, extra = await self._answer(
            receive, scope, event_id=event_id, seat_id=seat_id, action=action, token=token
        )
        headers = _common_headers(secure) + extra + [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _claim(self, scope):
        """(event_id, seat_id, action, token, secure) if this request is ours, else None."""
        if scope["type"] != "http" or scope["method"] != "POST":
            return None
        route = _ROUTE.fullmatch(scope["path"])
        if route is None:
            return None
        token = host = None
        forwarded_proto = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value
            elif name == b"host":
                host = value.decode("latin-1")
            elif name == b"origin":
                return None
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
        return int(route[1]), int(route[2]), route[3], raw.decode("latin-1"), secure

    async def _answer(self, receive, scope, *, event_id, seat_id, action, token):
        if await _body_too_large(receive, scope):
            return _as_asgi(too_large_response())
        try:
            user_id = _user_id(token)
            outcome = await self._run(
                _STEPS[action](user_id=user_id, event_id=event_id, seat_id=seat_id)
            )
        except Exception as exc:  # every error in the API's one shape (errors.py)
            status, body, extra = _as_asgi(exception_response(exc))
            if status == 401:  # as DRF adds it for a bearer-token API
                extra.append((b"www-authenticate", self._www_authenticate))
            return status, body, extra
        seats_changed_committed(event_id=event_id, seats=outcome.changed)
        body = seat_action_json(action, outcome.seats[0], user_id=user_id)
        return 200, orjson.dumps(body), []

    async def _run(self, steps) -> services.HoldOutcome:
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


async def _body_too_large(receive, scope) -> bool:
    """Read (and drop: lock and unlock take no fields) the body; over 64 KiB is too large."""
    limit = settings.API_MAX_BODY_BYTES
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            return True
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return False
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    return size > limit


def _as_asgi(response) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    extra = [
        (name.lower().encode(), value.encode())
        for name, value in response.items()
        if name.lower() not in {"content-type", "content-length"}
    ]
    return response.status_code, response.content, extra
