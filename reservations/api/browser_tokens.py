"""Bearer tokens for the browser: the access token in the page's memory, the refresh token in
an HttpOnly cookie that page scripts cannot read.

The shipped client authenticates like a script (``Authorization: Bearer``), so its booking
calls take the fast path (``fast.py``) and need no CSRF token; one auth mode serves the
same-origin and the cross-origin build. What would make a bearer token dangerous in a browser,
a long-lived credential that any script on the page can read, is the refresh token, and it
never reaches JavaScript: it rides in the ``seatmap_refresh`` cookie (HttpOnly, SameSite,
scoped to /api/), rotates on every refresh (the old one is blacklisted), and logout revokes it.

No CSRF token guards these two endpoints, by design: the cookie only ever buys an access token
in the answer's body, a cross-site page cannot send the cookie (SameSite) nor read the answer
(CORS), and the JSON body these endpoints parse makes a cross-origin request preflighted, which
CORS_ALLOWED_ORIGINS decides.
"""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from .errors import exception_response
from .throttles import AUTH_THROTTLES
from .tokens import TokenRefreshInput, refresh_token_revoke

REFRESH_COOKIE = "seatmap_refresh"
_COOKIE_PATH = "/api/"
_ACCESS = inline_serializer("BrowserAccess", {"access": serializers.CharField()})


def refresh_cookie_set(response, refresh: str) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        refresh,
        max_age=int(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()),
        path=_COOKIE_PATH,
        secure=settings.COOKIE_SECURE,
        httponly=True,
        samesite=settings.REFRESH_COOKIE_SAMESITE,
    )


def refresh_cookie_clear(response) -> None:
    response.delete_cookie(
        REFRESH_COOKIE, path=_COOKIE_PATH, samesite=settings.REFRESH_COOKIE_SAMESITE
    )


def refresh_cookie_revoke(request: Request) -> None:
    """Blacklist the refresh token of the request's cookie, if it carries one (logout)."""
    if raw := request.COOKIES.get(REFRESH_COOKIE):
        refresh_token_revoke(raw)


class BrowserTokenObtainApi(TokenObtainPairView):
    """``POST /api/token/cookie/``: ``/api/token/``'s login, the refresh token set as a cookie."""

    authentication_classes = []
    throttle_classes = AUTH_THROTTLES

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

    @extend_schema(request=None, responses=_ACCESS)
    def post(self, request, *args, **kwargs):
        raw = request.COOKIES.get(REFRESH_COOKIE)
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
