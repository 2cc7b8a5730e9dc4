"""An API request answered on the server's loop rather than through Django: who asks and how,
and the headers Django's middleware would have added, for every route of the loop app
(loop_app.py), so that none answers differently from Django (test_fast.py and
test_loop_reads.py compare them answer by answer).
"""

import functools
import time
from typing import NamedTuple

import orjson
from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from .errors import exception_response

# Tells a client (and the browser tests) that an answer came from here, not through Django.
PATH_HEADER = (b"x-seatmap-path", b"fast")
jwt_authentication = JWTAuthentication()


class ApiRequest(NamedTuple):
    token: str | None  # the bearer token, if one came
    secure: bool
    origin: str | None


def proxy_header_of_settings() -> tuple[bytes, str] | None:
    """SECURE_PROXY_SSL_HEADER as an ASGI header name and the value that means HTTPS."""
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if not proxy_header:
        return None
    return (
        proxy_header[0].removeprefix("HTTP_").replace("_", "-").lower().encode(),
        proxy_header[1],
    )


def api_request_of(scope, proxy_header: tuple[bytes, str] | None) -> ApiRequest | None:
    """Who asks how, for a request answered on the loop; None for one Django must answer
    (a host not in ALLOWED_HOSTS, plain HTTP where HTTPS is required, another kind of
    Authorization)."""
    token = host = origin = forwarded_proto = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            token = value
        elif name == b"host":
            host = value.decode("latin-1")
        elif name == b"origin":
            origin = value.decode("latin-1")
        elif proxy_header and name == proxy_header[0]:
            forwarded_proto = value.decode("latin-1")
    bearer = None
    if token is not None:
        kind, _, raw = token.partition(b" ")
        if kind not in AUTH_HEADER_TYPE_BYTES or not raw:
            return None
        bearer = raw.decode("latin-1")
    domain, _ = split_domain_port(host or "")
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    secure = scope.get("scheme") == "https" or (
        proxy_header is not None and forwarded_proto == proxy_header[1]
    )
    if settings.SECURE_SSL_REDIRECT and not secure:
        return None
    return ApiRequest(bearer, secure, origin)


def api_headers(secure: bool, allow: bytes, vary: bytes) -> list[tuple[bytes, bytes]]:
    """What Django's middleware adds to an API answer (compared in test_fast.py); `vary`: as
    the view's own Vary ends after the middleware's `origin`."""
    return [
        (b"content-type", b"application/json"),
        (b"allow", allow),
        (b"vary", vary),
        *_security_headers(secure),
    ]


@functools.cache
def _security_headers(secure: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The headers Django's SecurityMiddleware and XFrameOptionsMiddleware add to an answer,
    computed by them once per kind of request (HSTS only over HTTPS)."""

    class Request(HttpRequest):
        def _get_scheme(self):
            return "https" if secure else "http"

    response = HttpResponse()
    request = Request()
    SecurityMiddleware(lambda _: response).process_response(request, response)
    XFrameOptionsMiddleware(lambda _: response).process_response(request, response)
    return tuple(
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.items()
        if name.lower() != "content-type"
    )


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    """Tests change the security settings; the server never does."""
    _security_headers.cache_clear()
    cors_headers_for.cache_clear()


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


def user_id_of_token(token: str) -> int:
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
    validated = jwt_authentication.get_validated_token(token)
    return int(validated[jwt_settings.USER_ID_CLAIM]), float(validated["exp"])


def error_answer(exc: BaseException) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """The API's answer to `exc` (errors.py), with the challenge DRF adds to a 401 of a
    bearer-token API."""
    status, body, extra = as_asgi(exception_response(exc))
    if status == 401:
        extra.append((b"www-authenticate", _WWW_AUTHENTICATE))
    return status, body, extra


_WWW_AUTHENTICATE = jwt_authentication.authenticate_header(None).encode()


def as_asgi(response) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    extra = [
        (name.lower().encode(), value.encode())
        for name, value in response.items()
        if name.lower() not in {"content-type", "content-length"}
    ]
    return response.status_code, response.content, extra


def drf_rendered(body) -> bytes:
    """The body as DRF's JSONRenderer writes it: compact, UTF-8, and U+2028 and U+2029
    escaped (which orjson leaves as they are)."""
    return (
        orjson.dumps(body)
        .replace("\u2028".encode(), b"\\u2028")
        .replace("\u2029".encode(), b"\\u2029")
    )


def header_of(scope, name: bytes) -> str:
    """The request's header `name` (lower case), as Latin-1 text; "" when it did not come."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""
