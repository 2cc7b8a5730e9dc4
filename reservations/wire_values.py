"""How values are written in the API's bodies and the socket's frames (API.md, PROTOCOL.md)."""

from datetime import UTC, datetime
from decimal import Decimal


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, as API.md writes times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
