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

from reservations.client_address import address_key, is_exempt, request_client_address

from . import limit_windows


class ReadThrottle(limit_windows.WindowThrottle):
    """The reads' limit: a caller who is not logged in per address (``ANON_READ_THROTTLE_RATE``),
    a logged-in one per account (``USER_READ_THROTTLE_RATE``): many accounts on one host are
    still one address's reads only when they are anonymous."""

    def rules(self, request, view, now):
        address = request_client_address(request)
        if is_exempt(address):
            return []
        if request.user.is_authenticated:
            name, who, rate = "user_read", f"u{request.user.pk}", settings.USER_READ_THROTTLE_RATE
        else:  # read at each request, so that settings overrides (tests) apply
            name, who = "anon_read", address_key(address)
            rate = api_settings.DEFAULT_THROTTLE_RATES.get("anon_read")
        return limit_windows.one_window(name, who, rate, now)


def seat_list_rules(user_id: int | None, address: str, now: float) -> list[limit_windows.Rule]:
    """The window a seat-list read counts in: a logged-in caller's per user
    (``SEAT_LIST_USER_RATE``), anyone else's per address (the anonymous read limit above)."""
    if is_exempt(address):
        return []
    if user_id is None:
        name, who = "anon_read", address_key(address)
        rate = api_settings.DEFAULT_THROTTLE_RATES.get("anon_read")
    else:
        name, who, rate = "seat_list", f"u{user_id}", settings.SEAT_LIST_USER_RATE
    return limit_windows.one_window(name, who, rate, now)


async def seat_list_allowed_async(user_id: int | None, address: str) -> limit_windows.Verdict:
    """The seat list's limits on the loop (live_reads.py), counted as Django's are."""
    now = time.time()
    return await limit_windows.allowed_async(seat_list_rules(user_id, address, now), now)


class SeatListUserThrottle(limit_windows.WindowThrottle):
    """A logged-in caller's seat-list reads (the anonymous ones are ReadThrottle's)."""

    def rules(self, request, view, now):
        if not request.user.is_authenticated:
            return []
        return seat_list_rules(request.user.pk, request_client_address(request), now)
