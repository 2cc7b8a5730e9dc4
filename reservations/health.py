"""What GET /api/health/ reports: a registry of named checks, each True when its part works.

Reservations registers the database; other apps register their own parts in their
``AppConfig.ready`` (realtime: the channel layer), so the health view asks this registry and
imports none of them.
"""

from collections.abc import Callable

from django.db import DatabaseError, connection

_checks: dict[str, Callable[[], bool]] = {}


def check_register(name: str, check: Callable[[], bool]) -> None:
    _checks[name] = check


def health_report() -> dict[str, str]:
    """Every registered part, in the order registered: "ok" or "down"."""
    return {name: "ok" if check() else "down" for name, check in _checks.items()}


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False
