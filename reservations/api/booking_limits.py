"""The limits on booking calls, per user and per client address, shared by every server process
and by both paths (Django's, through ``BookingThrottle``; the fast path, through
``booking_allowed_async``).

Why: one account holds at most SEAT_HOLD_LIMIT seats of an event, but accounts are free, and a
script that re-locks seats as their holds end can keep a venue off sale (OWASP OAT-021, denial
of inventory). The per-user rate (``BOOKING_USER_RATE``) stops one account hammering; the
per-address rate (``BOOKING_ADDRESS_RATE``) a farm of accounts on one host (an IPv6 host by its
/64: ``address_key``). The defaults are far above what a person clicks, the address's high
enough for a venue's Wi-Fi behind one NAT. Load-test hosts are exempt by address
(``LIMITS_EXEMPT_NETWORKS``).

The counting, and what happens when Redis is gone (each process counts in its own windows),
is limit_windows.py's.
"""

import time

from django.conf import settings

from reservations.client_address import address_key, is_exempt, request_client_address

from . import limit_windows
from .limit_windows import Rule, Verdict


def booking_rules(user_id: int, address: str, now: float) -> list[Rule]:
    """The windows this call counts in (none for an exempt address or with limits off)."""
    if is_exempt(address):
        return []
    user, network = f"u{user_id}", address_key(address)
    return [
        *limit_windows.one_window("booking", user, settings.BOOKING_USER_RATE, now),
        *limit_windows.one_window("booking", network, settings.BOOKING_ADDRESS_RATE, now),
    ]


async def booking_allowed_async(user_id: int, address: str) -> Verdict:
    now = time.time()
    return await limit_windows.allowed_async(booking_rules(user_id, address, now), now)


class BookingThrottle(limit_windows.WindowThrottle):
    """DRF's throttle for the booking views; after authentication, so a user is known."""

    def rules(self, request, view, now):
        return booking_rules(request.user.pk, request_client_address(request), now)
