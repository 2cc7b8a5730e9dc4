"""The limits on the login doors: per client address and per username, for the API's
register, login and token and for the admin's login form.

Per address alone, one attacker with many addresses guesses one password at full speed; per
username alone, one address tries a common password on every name. Both count. The address is
``client_address`` (NUM_PROXIES trusted proxies), the username its ``username_key`` (so
``ALICE`` and ``ａｌｉｃｅ`` are one bucket). Rates: ``AUTH_THROTTLE_RATE`` and
``AUTH_USERNAME_THROTTLE_RATE``, read at each request so tests and settings overrides apply.
"""

import hashlib
from functools import wraps

from django.http import HttpResponse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from reservations.users import username_key

from .booking_limits import is_exempt
from .client_address import request_client_address


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        return request_client_address(request)


class AuthAddressThrottle(_SettingsRateThrottle):
    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthUsernameThrottle(_SettingsRateThrottle):
    scope = "auth_username"

    def get_cache_key(self, request, view):
        username = _submitted_username(request)
        if not username:
            return None  # nothing to count: the request is refused as invalid anyway
        # Hashed: a name may hold any character, and cache keys had better not.
        ident = hashlib.sha256(username_key(username).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


AUTH_THROTTLES = [AuthAddressThrottle, AuthUsernameThrottle]


class AnonReadThrottle(_SettingsRateThrottle):
    """Reads by callers who are not logged in, per address (``ANON_READ_THROTTLE_RATE``): a
    scraper polling event pages is one address; a logged-in buyer is not counted here, nor a
    load-test host (``LIMITS_EXEMPT_NETWORKS``)."""

    scope = "anon_read"

    def get_cache_key(self, request, view):
        if request.user.is_authenticated:
            return None
        address = self.get_ident(request)
        if is_exempt(address):
            return None
        return self.cache_format % {"scope": self.scope, "ident": address}


def _submitted_username(request) -> str | None:
    # DRF's request parses JSON into .data; the admin's login form posts a form.
    data = getattr(request, "data", None)
    if data is None:
        data = request.POST
    username = data.get("username") if hasattr(data, "get") else None
    return username[:300] if isinstance(username, str) else None


def login_throttled(view):
    """A (non-DRF) login view whose form posts count against the same limits."""

    @wraps(view)
    def throttled(request, *args, **kwargs):
        if request.method == "POST":
            for throttle in (cls() for cls in AUTH_THROTTLES):
                if not throttle.allow_request(request, None):
                    wait = max(int(throttle.wait() or 1), 1)
                    return HttpResponse(
                        f"Too many login attempts; try again in {wait} seconds.\n",
                        status=429,
                        content_type="text/plain; charset=utf-8",
                        headers={"Retry-After": str(wait)},
                    )
        return view(request, *args, **kwargs)

    return throttled
