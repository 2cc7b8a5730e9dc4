"""The limits on reads: by callers who are not logged in, per address (``ANON_READ_THROTTLE_RATE``,
an IPv6 client by its /64): a scraper polling event pages is one address; by logged-in callers,
per account (``USER_READ_THROTTLE_RATE``), and their seat-list reads apart
(``SEAT_LIST_USER_RATE``); a load-test host (``LIMITS_EXEMPT_NETWORKS``) is not counted.
Counted as every limit is (limit_windows.py: per process when Redis is gone). The login doors'
limits are login_limits.py's; booking's, booking_limits.py's.
"""

import time

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from reservations.client_address import address_key, is_exempt, request_client_address

from . import limit_windows


class ReadThrottle(BaseThrottle):
    """The reads' limit: a caller who is not logged in per address (``ANON_READ_THROTTLE_RATE``),
    a logged-in one per account (``USER_READ_THROTTLE_RATE``): many accounts on one host are
    still one address's reads only when they are anonymous."""

    def allow_request(self, request, view):
        self.verdict = limit_windows.ALLOWED
        address = request_client_address(request)
        if request.user.is_authenticated:
            name, who, rate = "user_read", f"u{request.user.pk}", settings.USER_READ_THROTTLE_RATE
        else:  # read at each request, so that settings overrides (tests) apply
            name, who = "anon_read", address_key(address)
            rate = api_settings.DEFAULT_THROTTLE_RATES.get("anon_read")
        rate = limit_windows.rate_of(rate)
        if rate is None or is_exempt(address):
            return True
        now = time.time()
        rule = limit_windows.window_rule(name, who, rate, now)
        self.verdict = limit_windows.verdict_of([rule], limit_windows.count([rule], now), now)
        return self.verdict.allowed

    def wait(self):
        return self.verdict.wait


def seat_list_rules(user_id: int | None, address: str, now: float) -> list[limit_windows.Rule]:
    """The window a seat-list read counts in: a logged-in caller's per user
    (``SEAT_LIST_USER_RATE``), anyone else's per address (the anonymous read limit above)."""
    if is_exempt(address):
        return []
    if user_id is None:
        name, who = "anon_read", address_key(address)
        rate = limit_windows.rate_of(api_settings.DEFAULT_THROTTLE_RATES.get("anon_read"))
    else:
        name, who = "seat_list", f"u{user_id}"
        rate = limit_windows.rate_of(settings.SEAT_LIST_USER_RATE)
    return [] if rate is None else [limit_windows.window_rule(name, who, rate, now)]


async def seat_list_allowed_async(user_id: int | None, address: str) -> limit_windows.Verdict:
    """The seat list's limits on the loop (live_reads.py), counted as Django's are."""
    now = time.time()
    rules = seat_list_rules(user_id, address, now)
    if not rules:
        return limit_windows.ALLOWED
    return limit_windows.verdict_of(rules, await limit_windows.count_async(rules, now), now)


class SeatListUserThrottle(BaseThrottle):
    """A logged-in caller's seat-list reads (the anonymous ones are ReadThrottle's)."""

    def allow_request(self, request, view):
        self.verdict = limit_windows.ALLOWED
        if not request.user.is_authenticated:
            return True
        now = time.time()
        rules = seat_list_rules(request.user.pk, request_client_address(request), now)
        if rules:
            self.verdict = limit_windows.verdict_of(rules, limit_windows.count(rules, now), now)
        return self.verdict.allowed

    def wait(self):
        return self.verdict.wait
