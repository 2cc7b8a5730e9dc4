"""An event's sales, its payments and its ledger as rows, and those rows as CSV or XLSX
(docs/LEDGER.md "Exports"): what the admin's export links and `manage.py export_event` write.

The rows are read in chunks (a server-side cursor on PostgreSQL), so an event of 20,000 seats
and its 100,000 changes never sit in memory whole. CSV is written as it is read; XLSX, a zip,
is written row by row by openpyxl's write-only workbook to a temporary file, then sent from it.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO

from django.db.models import Case, F, OuterRef, Subquery, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, StreamingHttpResponse

from .ledger.models import SeatChange
from .models import Event, ReservedSeat, Seat
from .payments.models import Payment

CHUNK = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SALES_HEADER = [
    "reservation",
    "status",
    "buyer",
    "section",
    "row",
    "seat",
    "price",
    "currency",
    "channel",
    "booked at (UTC)",
    "cancelled at (UTC)",
]

# The ledger's columns and the fields of SeatChange they are read from.
LEDGER_COLUMNS = {
    "change": "id",
    "at (UTC)": "at",
    "section": "seat__section",
    "row": "seat__row",
    "seat": "seat__label",
    "before": "status_before",
    "after": "status_after",
    "version": "version",
    "via": "via",
    "account": "account__username",
    "staff": "actor__username",
    "reason": "reason",
    "reservation": "reservation_id",
    "held since (UTC)": "held_since",
}
LEDGER_HEADER = list(LEDGER_COLUMNS)

PAYMENTS_HEADER = [
    "payment",
    "reservation",
    "kind",
    "provider",
    "state",
    "amount",
    "currency",
    "reference",
    "settled reference",
    "late",
    "staff",
    "started at (UTC)",
    "settled at (UTC)",
]

WHAT = ("sales", "payments", "ledger")
FORMATS = ("csv", "xlsx")


def sales_rows(event_id: int) -> Iterator[list]:
    """The header, then one row a seat each of the event's reservations has had, by
    reservation and seat: `confirmed` if it is the booking's now (`awaiting_payment` while unpaid),
    else how it left (`moved`, `refunded`, `cancelled`, `expired`: a seat sold and given back is
    part of the sales' story). The buyer is the account's username, or the box office's buyer's
    name. The channel is the `via` of the seat's booking in the ledger."""
    currency = Event.objects.values_list("currency", flat=True).get(pk=event_id)
    # Where it was booked: the first change that put it in the order (`paying` while an order
    # awaits payment), not the payment that confirmed it.
    channel = (
        SeatChange.objects.filter(
            event_id=event_id,
            seat_id=OuterRef("seat_id"),
            reservation_id=OuterRef("reservation_id"),
            status_after__in=(Seat.Status.PAYING, Seat.Status.RESERVED),
        )
        .order_by("id")
        .values("via")[:1]
    )
    state = Case(
        # A seat it has (or that left before `ended` was): confirmed, or awaiting_payment.
        When(ended="", then=F("reservation__status")),
        default=F("ended"),
    )
    sold = (
        ReservedSeat.objects.filter(reservation__event_id=event_id)
        .annotate(
            channel=Subquery(channel),
            state=state,
            buyer=Coalesce("reservation__user__username", "reservation__buyer_name"),
        )
        .order_by("reservation_id", "seat_id")
        .values_list(
            "reservation_id",
            "state",
            "buyer",
            "seat__section",
            "seat__row",
            "seat__label",
            "price",
            "channel",
            "reservation__created_at",
            "reservation__cancelled_at",
        )
    )
    yield SALES_HEADER
    for *seat, price, via, booked, cancelled in sold.iterator(chunk_size=CHUNK):
        yield [*seat, price, currency, via or "", booked, cancelled]


def ledger_rows(event_id: int) -> Iterator[list]:
    """The header, then every change of the event's seats, in the order they were written.
    None is an empty cell."""
    changes = (
        SeatChange.objects.filter(event_id=event_id)
        .order_by("id")
        .values_list(*LEDGER_COLUMNS.values())
    )
    yield LEDGER_HEADER
    for change in changes.iterator(chunk_size=CHUNK):
        yield list(change)


def payments_rows(event_id: int) -> Iterator[list]:
    """The header, then one row an attempt to be paid and one a refund (payments/), in the
    order they began: `late` a payment that came after its order had ended, given back."""
    currency = Event.objects.values_list("currency", flat=True).get(pk=event_id)
    payments = (
        Payment.objects.filter(reservation__event_id=event_id)
        .order_by("id")
        .values_list(
            "id",
            "reservation_id",
            "kind",
            "provider",
            "state",
            "amount",
            "reference",
            "settled_reference",
            "late",
            "actor__username",
            "created_at",
            "settled_at",
        )
    )
    yield PAYMENTS_HEADER
    for *head, amount, reference, settled, late, staff, started, at in payments.iterator(CHUNK):
        yield [*head, amount, currency, reference, settled, late, staff, started, at]


def rows_of(what: str, event_id: int) -> Iterator[list]:
    return {"sales": sales_rows, "payments": payments_rows, "ledger": ledger_rows}[what](event_id)


def _utc(value):
    """A time in UTC without its zone: XLSX has no time zones (the headers say UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


class _Line:
    """csv.writer's file: hands back the line it was given."""

    def write(self, line: str) -> str:
        return line


# A cell a spreadsheet would run as a formula starts with one of these (OWASP's CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value):
    """Times in ISO 8601, UTC; a text that would be a formula as text (a leading quote)."""
    if isinstance(value, datetime):
        return _utc(value).isoformat(sep=" ")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """The rows as CSV lines, one at a time."""
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


def xlsx_write(rows: Iterable[list], file: IO[bytes], title: str) -> None:
    """The rows as one sheet of an XLSX workbook, written to `file` a row at a time."""
    from openpyxl import Workbook  # slow to import: paid by an export, not by every process

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append([_cell(sheet, _utc(value)) for value in row])
    workbook.save(file)


def _cell(sheet, value):
    """Text as text: openpyxl would store one starting with "=" (a reason, say) as a formula."""
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def export_response(event_id: int, what: str, format: str):
    """The file, streamed: CSV as it is read, XLSX from its temporary file. The admin's links
    and the console's route answer it."""
    filename = f"event-{event_id}-{what}.{format}"
    rows = rows_of(what, event_id)
    if format == "xlsx":
        return FileResponse(
            xlsx_file(rows, title=what), as_attachment=True, filename=filename, content_type=XLSX
        )
    return StreamingHttpResponse(
        csv_lines(rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def xlsx_file(rows: Iterable[list], title: str) -> IO[bytes]:
    """The workbook in a temporary file, at its start: on disk, not in memory, past 1 MiB."""
    file = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 (its reader closes it)
    xlsx_write(rows, file, title)
    file.seek(0)
    return file
