"""The limit on refreshes per user (``REFRESH_USER_RATE``, 30 a minute): a refresh costs a
locked row and a write, and a client stuck in a loop, or one script on a stolen token, would
make one as fast as it can. Both refresh routes count in one window per user, counted as every
limit is (limit_windows.py). The user is the one a validly signed token names: a forged or
expired token counts for no one, and is refused 401 without touching the database.
"""

from django.conf import settings
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from . import limit_windows


class RefreshUserThrottle(limit_windows.WindowThrottle):
    """For views that say where their refresh token is (``view.refresh_token_of(request)``)."""

    def rules(self, request, view, now):
        user_id = _user_of(view.refresh_token_of(request))
        return limit_windows.one_window("refresh_user", user_id, settings.REFRESH_USER_RATE, now)


def _user_of(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return str(RefreshToken(raw).payload.get(api_settings.USER_ID_CLAIM))
    except TokenError:
        return None
