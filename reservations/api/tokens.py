"""Bearer tokens (simplejwt) as this API hands them out and takes them back.

Refresh tokens rotate: each refresh answers a new one and blacklists the old (the
token_blacklist app), and ``POST /api/logout/`` blacklists the one it is given.
"""

from contextlib import suppress

from django.contrib.auth import get_user_model
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken


class TokenRefreshInput(TokenRefreshSerializer):
    """simplejwt's refresh, but the token of an account that is gone is 401, not a crash."""

    def validate(self, attrs):
        try:
            user_id = RefreshToken(attrs["refresh"]).payload.get(api_settings.USER_ID_CLAIM)
        except TokenError as exc:
            raise InvalidToken(str(exc)) from exc
        users = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id})
        if user_id is None or not users.exists():
            raise InvalidToken("The token's account no longer exists.")
        return super().validate(attrs)


def refresh_token_revoke(raw: str) -> None:
    """Blacklist a refresh token. One that is expired, revoked already or not ours is no
    longer usable anyway: nothing to do, and no error (logout stays idempotent)."""
    with suppress(TokenError):
        RefreshToken(raw).blacklist()
