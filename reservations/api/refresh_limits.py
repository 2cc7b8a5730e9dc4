"""The limit on refreshes per user (``REFRESH_USER_RATE``, 30 a minute): a refresh costs a
locked row and a write, and a client stuck in a loop, or one script on a stolen token, would
make one as fast as it can. Both refresh routes count in one window per user, counted as every
limit is (limit_windows.py). The user is the one a validly signed token names: a forged or
expired token counts for no one, and is refused 401 without touching the database.
"""

import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from . import limit_windows


class RefreshUserThrottle(BaseThrottle):
    """For views that say where their refresh token is (``view.refresh_token_of(request)``)."""

    def allow_request(self, request, view):
        self.verdict = limit_windows.ALLOWED
        rate = limit_windows.rate_of(settings.REFRESH_USER_RATE)
        user_id = _user_of(view.refresh_token_of(request))
        if rate is None or user_id is None:
            return True
        now = time.time()
        rule = limit_windows.window_rule("refresh_user", user_id, rate, now)
        self.verdict = limit_windows.verdict_of([rule], limit_windows.count([rule], now), now)
        return self.verdict.allowed

    def wait(self):
        return self.verdict.wait


def _user_of(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return str(RefreshToken(raw).payload.get(api_settings.USER_ID_CLAIM))
    except TokenError:
        return None
