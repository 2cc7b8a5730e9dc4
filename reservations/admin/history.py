"""A seat's or a reservation's story on its admin page: its ledger rows (reservations/ledger/),
newest first, with who, through what and why. Read-only, as the ledger is."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..ledger.models import SeatChange

# A seat held and let go many times has a long story; the page shows its latest part.
SHOWN = 200
COLUMNS = ["at", "seat", "change", "version", "via", "account", "staff", "reason", "reservation"]


def _cells(change: SeatChange) -> tuple:
    reservation = ""
    if change.reservation_id is not None:
        url = reverse("admin:reservations_reservation_change", args=[change.reservation_id])
        reservation = format_html('<a href="{}">{}</a>', url, change.reservation_id)
    return (
        f"{change.at:%Y-%m-%d %H:%M:%S}",
        change.seat.label,
        f"{change.status_before} \N{RIGHTWARDS ARROW} {change.status_after}",
        change.version,
        change.via,
        change.account.username if change.account else "",
        change.actor.username if change.actor else "",
        change.reason,
        reservation,
    )


def history_table(changes: QuerySet) -> str:
    """The changes' table, newest first: two queries (the count, the rows with their seat and
    people), whatever their number."""
    total = changes.count()
    if not total:
        return "No change recorded."
    rows = changes.select_related("seat", "account", "actor").order_by("-id")[:SHOWN]
    head = format_html_join("", "<th>{}</th>", ((column,) for column in COLUMNS))
    body = format_html_join(
        "",
        '<tr class="seat-change">' + "<td>{}</td>" * len(COLUMNS) + "</tr>",
        (_cells(change) for change in rows),
    )
    note = format_html("<p>The newest {} of {} changes.</p>", SHOWN, total) if total > SHOWN else ""
    return format_html(
        '{}<table class="seat-history"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        note,
        head,
        body,
    )
