"""What GET /api/health/ reports: a registry of named checks, each True when its part works.

Reservations registers the database; other apps register their own parts in their
``AppConfig.ready`` (realtime: the channel layer), so the health view asks this registry and
imports none of them.

A report asks every part (a PING to Redis, a query), so it is made at most once a
second per process (HEALTH_CACHE_SECONDS): a scraper, a load balancer and an operator asking
together cost one round of checks, and only one request thread makes it while the others wait
for its answer.
"""

import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection

_checks: dict[str, Callable[[], bool]] = {}
_made = threading.Lock()
_last: tuple[float, dict[str, str]] | None = None


def check_register(name: str, check: Callable[[], bool]) -> None:
    _checks[name] = check


def health_report() -> dict[str, str]:
    """Every registered part, in the order registered: "ok" or "down"; at most
    HEALTH_CACHE_SECONDS old."""
    global _last
    with _made:
        now = time.monotonic()
        if _last is None or now - _last[0] >= settings.HEALTH_CACHE_SECONDS:
            report = {name: "ok" if check() else "down" for name, check in _checks.items()}
            _last = (time.monotonic(), report)
        return dict(_last[1])


def health_forgotten() -> None:
    """The next report asks every part again (the tests change a part between two asks)."""
    global _last
    with _made:
        _last = None


def engines() -> str:
    """The engines this process serves with, for the `X-Seatmap-Engines` header of the report:
    a load tester knows an embedded server (SQLite, the in-memory layer) by it, whose figures
    say nothing of a full stack's."""
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"database={connection.vendor}, channel_layer={layer}"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False
