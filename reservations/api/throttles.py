"""The limit on reads by callers who are not logged in, per address (``ANON_READ_THROTTLE_RATE``,
an IPv6 client by its /64): a scraper polling event pages is one address; a logged-in buyer is
not counted here, nor a load-test host (``LIMITS_EXEMPT_NETWORKS``). Counted as every limit is
(limit_windows.py: per process when Redis is gone). The login doors' limits are
login_limits.py's; booking's, booking_limits.py's.
"""

import time

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from reservations.client_address import address_key, is_exempt, request_client_address

from . import limit_windows


class AnonReadThrottle(BaseThrottle):
    def allow_request(self, request, view):
        self.verdict = limit_windows.ALLOWED
        if request.user.is_authenticated:
            return True
        address = request_client_address(request)
        # Read at each request, so that settings overrides (tests) apply.
        rate = limit_windows.rate_of(api_settings.DEFAULT_THROTTLE_RATES.get("anon_read"))
        if rate is None or is_exempt(address):
            return True
        now = time.time()
        rule = limit_windows.window_rule("anon_read", address_key(address), rate, now)
        self.verdict = limit_windows.verdict_of([rule], limit_windows.count([rule], now), now)
        return self.verdict.allowed

    def wait(self):
        return self.verdict.wait
