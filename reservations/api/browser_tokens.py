"""Bearer tokens for the browser: the access token in the page's memory, the refresh token in
an HttpOnly cookie that page scripts cannot read.

The shipped client authenticates like a script (``Authorization: Bearer``), so its booking
calls take the fast path (``fast.py``) and need no CSRF token; one auth mode serves the
same-origin and the cross-origin build. What would make a bearer token dangerous in a browser,
a long-lived credential that any script on the page can read, is the refresh token, and it
never reaches JavaScript: it rides in the ``seatmap_refresh`` cookie (HttpOnly, SameSite,
Secure, sent only to the refresh route), rotates on every refresh by tokens.py's rules (one
use, a replay revokes the family, a few seconds' grace for two tabs), and logout revokes it.

No CSRF token guards the refresh, by design: the cookie only ever buys an access token in the
answer's body, which a page of another origin cannot read (CORS); a request that a page of an
origin we do not trust makes is refused by its `Origin` (origins.py), and a cross-site page
cannot send the cookie at all (SameSite).
"""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from .errors import exception_response
from .origins import TrustedOrigin
from .refresh_limits import RefreshUserThrottle
from .tokens import TokenObtainInput, TokenRefreshInput

REFRESH_COOKIE = "seatmap_refresh"
# Only the refresh route gets the cookie: no other request carries the long-lived credential.
REFRESH_COOKIE_PATH = "/api/token/cookie/refresh/"
_ACCESS = inline_serializer("BrowserAccess", {"access": serializers.CharField()})


def refresh_cookie_set(response, refresh: str) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        refresh,
        max_age=int(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()),
        path=REFRESH_COOKIE_PATH,
        secure=settings.COOKIE_SECURE,
        httponly=True,
        samesite=settings.REFRESH_COOKIE_SAMESITE,
    )


def refresh_cookie_clear(response) -> None:
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, samesite=settings.REFRESH_COOKIE_SAMESITE
    )


def refresh_cookie_of(request: Request) -> str | None:
    """The cookie's refresh token. Browsers list the cookie of the longest path first, and a
    cookie of an earlier release (path /api/) may still be there beside it: the first one is
    taken, where Django's request.COOKIES keeps the last."""
    for pair in request.META.get("HTTP_COOKIE", "").split(";"):
        name, _, value = pair.strip().partition("=")
        if name == REFRESH_COOKIE and value:
            return value.strip('"')
    return None


class BrowserTokenObtainApi(TokenObtainPairView):
    """``POST /api/token/cookie/``: ``/api/token/``'s login, the refresh token set as a cookie."""

    authentication_classes = []
    throttle_classes = []  # login_door (urls.py)
    serializer_class = TokenObtainInput

    @extend_schema(
        request=inline_serializer(
            "BrowserLogin",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses=_ACCESS,
    )
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        refresh_cookie_set(response, response.data.pop("refresh"))
        return response


class BrowserTokenRefreshApi(TokenRefreshView):
    """``POST /api/token/cookie/refresh/``: a new access token for the cookie's refresh token,
    which rotates; without a good cookie, 401 and the cookie is cleared."""

    authentication_classes = []
    permission_classes = [TrustedOrigin]
    throttle_classes = [RefreshUserThrottle]

    def refresh_token_of(self, request) -> str | None:
        return refresh_cookie_of(request)

    @extend_schema(request=None, responses=_ACCESS)
    def post(self, request, *args, **kwargs):
        raw = refresh_cookie_of(request)
        tokens = TokenRefreshInput(data={"refresh": raw or ""})
        try:
            if not raw:
                raise exceptions.NotAuthenticated()
            tokens.is_valid(raise_exception=True)
        except (TokenError, InvalidToken, exceptions.APIException) as exc:
            refused = exception_response(
                exc if isinstance(exc, exceptions.NotAuthenticated) else InvalidToken()
            )
            refresh_cookie_clear(refused)
            return refused
        response = Response({"access": tokens.validated_data["access"]})
        refresh_cookie_set(response, tokens.validated_data["refresh"])
        return response
