"""Who may read GET /api/metrics/ (API.md "Metrics"): the operator's scraper, not the world.

A scrape is let in when it comes from METRICS_ALLOWED_NETWORKS (by default this machine's
loopback), the client being who our proxies vouch for (client_address.py, NUM_PROXIES), or when
it carries `Authorization: Bearer <METRICS_TOKEN>` (a scraper elsewhere, through the proxy).
The numbers say how busy a sale is and how the server fares: nothing for a stranger.
"""

import hmac

from django.conf import settings

from reservations.client_address import address_in, request_client_address


def scrape_allowed(request) -> bool:
    if address_in(request_client_address(request), settings.METRICS_ALLOWED_NETWORKS):
        return True
    expected = settings.METRICS_TOKEN
    if not expected:
        return False
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    # Compared in constant time: the answer's timing does not tell how much of a guess was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        offered.strip().encode(), expected.encode()
    )
