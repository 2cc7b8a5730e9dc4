"""An event's exports (reservations/exports.py): its sales and its ledger, as CSV and XLSX, from
the admin (with the `export_event` permission) and from `manage.py export_event`, read back."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, ManagementUtility, call_command
from openpyxl import load_workbook

from reservations.exports import LEDGER_HEADER, SALES_HEADER
from reservations.ledger.context import seat_changes
from reservations.ledger.models import SeatChange, Via

from . import booking_calls
from .console_staff import staff_api
from .factories import event_with_seats

pytestmark = pytest.mark.django_db

EXPORTS = [(what, format) for what in ("sales", "ledger") for format in ("csv", "xlsx")]


def url(event, what, format):
    return f"/admin/reservations/event/{event.pk}/export/{what}.{format}"


@pytest.fixture
def sold(admin_client, alice, bob):
    """Alice books three seats online; bob books one, and staff cancel it in the admin."""
    event = event_with_seats(rows=2, seats_per_row=3, sections=2, price="42.50")
    seats = list(event.seats.order_by("id"))
    with seat_changes(Via.ONLINE):
        booking_calls.lock_several(
            user=alice, event_id=event.id, seat_ids=[s.id for s in seats[:3]]
        )
        kept = booking_calls.reserve(
            user=alice, event_id=event.id, seat_ids=[s.id for s in seats[:3]]
        ).reservation
        booking_calls.lock(user=bob, event_id=event.id, seat_id=seats[4].id)
        cancelled = booking_calls.reserve(
            user=bob, event_id=event.id, seat_ids=[seats[4].id]
        ).reservation
    admin_client.post(
        "/admin/reservations/reservation/",
        {"action": "cancel_selected", "_selected_action": [cancelled.pk]},
    )
    kept.refresh_from_db()
    cancelled.refresh_from_db()
    return event, seats, kept, cancelled


def expected_sales(event, seats, kept, cancelled) -> list[list]:
    """A row a seat of every reservation, the cancelled one too, with its status and when."""

    def rows(reservation, buyer, booked_seats, status):
        return [
            [
                reservation.pk,
                status,
                buyer,
                seat.section,
                seat.row,
                seat.label,
                Decimal("42.50"),
                "EUR",
                "online",
                reservation.created_at,
                reservation.cancelled_at or "",
            ]
            for seat in booked_seats
        ]

    return [
        SALES_HEADER,
        *rows(kept, "alice", seats[:3], "confirmed"),
        *rows(cancelled, "bob", [seats[4]], "refunded"),
    ]


def expected_ledger(event) -> list[list]:
    changes = SeatChange.objects.filter(event_id=event.pk).select_related("seat", "account")
    return [
        LEDGER_HEADER,
        *(
            [
                change.id,
                change.at,
                change.seat.section,
                change.seat.row,
                change.seat.label,
                change.status_before,
                change.status_after,
                change.version,
                change.via,
                change.account.username if change.account else "",
                "root" if change.via == Via.ADMIN else "",
                change.reason,
                change.reservation_id or "",
                change.held_since or "",
            ]
            for change in changes.order_by("id")
        ),
    ]


def as_csv(rows: list[list]) -> list[list[str]]:
    """What the CSV of these rows reads back as: text, times in UTC."""

    def text(value):
        if hasattr(value, "astimezone"):
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        return str(value)

    return [[text(value) for value in row] for row in rows]


def to_the_millisecond(value: datetime) -> datetime:
    """XLSX keeps a time to the millisecond (openpyxl rounds it so)."""
    return value.replace(microsecond=0) + timedelta(microseconds=round(value.microsecond, -3))


def as_xlsx(rows: list[list]) -> list[list]:
    """What the XLSX of these rows reads back as: numbers, times in UTC to the millisecond,
    blanks as None."""

    def cell(value):
        if hasattr(value, "astimezone"):
            return to_the_millisecond(value.astimezone(UTC).replace(tzinfo=None))
        if isinstance(value, Decimal):
            return float(value)
        return None if value == "" else value

    return [[cell(value) for value in row] for row in rows]


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_sales_export_lists_each_booked_seat_the_cancelled_ones_marked(admin_client, sold):
    expected = expected_sales(*sold)
    assert [row[:2] for row in expected[1:]] == [[sold[2].pk, "confirmed"]] * 3 + [
        [sold[3].pk, "refunded"]  # the admin's cancel gives the buyer's money back
    ]
    response = admin_client.get(url(sold[0], "sales", "csv"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == (
        f'attachment; filename="event-{sold[0].pk}-sales.csv"'
    )
    assert read_csv(b"".join(response.streaming_content)) == as_csv(expected)
    response = admin_client.get(url(sold[0], "sales", "xlsx"))
    assert response.status_code == 200 and response.streaming
    assert read_xlsx(b"".join(response.streaming_content)) == as_xlsx(expected)


def test_the_ledger_export_is_the_events_ledger(admin_client, sold):
    expected = expected_ledger(sold[0])
    # Four seats held and booked, one of them freed by the cancellation.
    assert len(expected) == 1 + 4 * 2 + 1
    response = admin_client.get(url(sold[0], "ledger", "csv"))
    assert read_csv(b"".join(response.streaming_content)) == as_csv(expected)
    response = admin_client.get(url(sold[0], "ledger", "xlsx"))
    assert read_xlsx(b"".join(response.streaming_content)) == as_xlsx(expected)


def test_a_reason_that_looks_like_a_formula_stays_text_in_the_xlsx(admin_client):
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()
    admin_client.post(
        "/admin/reservations/seat/",
        {"action": "block_selected", "_selected_action": [seat.pk], "reason": "=1+1"},
    )
    response = admin_client.get(url(event, "ledger", "xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    reason = sheet.cell(row=2, column=LEDGER_HEADER.index("reason") + 1)
    assert (reason.value, reason.data_type) == ("=1+1 (killed)", "s")  # "f": a formula


def test_staff_without_the_permission_get_403_and_no_links(client, sold):
    staff = get_user_model().objects.create_user("clerk", password="pw-clerk-1", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(staff)
    change_page = f"/admin/reservations/event/{sold[0].pk}/change/"
    assert "Export sales" not in client.get(change_page).content.decode()
    assert [client.get(url(sold[0], *export)).status_code for export in EXPORTS] == [403] * 4

    staff.user_permissions.add(Permission.objects.get(codename="export_event"))
    staff = get_user_model().objects.get(pk=staff.pk)  # its permissions are cached
    client.force_login(staff)
    page = client.get(change_page).content.decode()
    assert [page.count(f'href="{url(sold[0], *export)}"') for export in EXPORTS] == [1] * 4
    assert [client.get(url(sold[0], *export)).status_code for export in EXPORTS] == [200] * 4


def test_an_unknown_export_or_event_is_404(admin_client, sold):
    assert admin_client.get(url(sold[0], "refunds", "csv")).status_code == 404
    assert admin_client.get(url(sold[0], "sales", "pdf")).status_code == 404
    assert (
        admin_client.get(
            f"/admin/reservations/event/{sold[0].pk + 99}/export/sales.csv"
        ).status_code
        == 404
    )


@pytest.mark.parametrize("what,format", EXPORTS)
def test_the_command_writes_what_the_admin_sends(admin_client, sold, tmp_path, what, format):
    output = tmp_path / f"export.{format}"
    call_command("export_event", event=sold[0].pk, what=what, format=format, output=str(output))
    sent = b"".join(admin_client.get(url(sold[0], what, format)).streaming_content)
    if format == "csv":
        assert output.read_bytes() == sent
    else:  # a zip with the time it was made in it: the same sheet
        assert read_xlsx(output.read_bytes()) == read_xlsx(sent)


def test_the_command_writes_csv_to_stdout_and_refuses_what_it_cannot(admin_client, sold):
    stdout = io.StringIO()
    call_command("export_event", event=sold[0].pk, what="sales", output="-", stdout=stdout)
    assert read_csv(stdout.getvalue().encode()) == as_csv(expected_sales(*sold))
    with pytest.raises(CommandError, match="binary"):
        call_command("export_event", event=sold[0].pk, what="sales", format="xlsx", output="-")
    with pytest.raises(CommandError, match="no event"):
        call_command("export_event", event=sold[0].pk + 99, what="sales", output="-")


@pytest.mark.parametrize("format", ["csv", "xlsx"])
@pytest.mark.parametrize("where", ["no-such-folder/sales", ""])  # not there; a folder, not a file
def test_a_file_the_command_cannot_write_is_one_line_and_exit_1(
    sold, tmp_path, capsys, where, format
):
    output = tmp_path / f"{where}.{format}" if where else tmp_path
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(
            ["manage.py", "export_event", "--event", str(sold[0].pk), "--what", "sales"]
            + ["--format", format, "--output", str(output)]
        ).execute()
    printed = capsys.readouterr()
    assert exited.value.code == 1
    assert printed.err.startswith(f"CommandError: cannot write {output}: "), printed.err
    assert "Traceback" not in printed.err
    assert list(tmp_path.iterdir()) == []


def test_the_sales_export_lists_only_the_seats_a_booking_holds_the_others_as_they_left(
    admin_client, alice
):
    """Finding 2 of issue 55: a booking moved and partly refunded exported every seat it ever
    had as `confirmed`, and a box-office buyer's name was left out."""
    event = event_with_seats(rows=1, seats_per_row=6, price="50.00")
    s = list(event.seats.order_by("id"))
    with seat_changes(Via.ONLINE):
        booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[s[0].id, s[1].id])
        booking = booking_calls.reserve(
            user=alice, event_id=event.id, seat_ids=[s[0].id, s[1].id]
        ).reservation
    manager = staff_api("Manager")
    moved = manager.post(
        f"/api/staff/reservations/{booking.pk}/reseat/", {"moves": [[s[0].id, s[4].id]]}, "json"
    )
    refunded = manager.post(
        f"/api/staff/reservations/{booking.pk}/refund/",
        {"seat_ids": [s[1].id], "refunded": "50.00", "reason": "ill"},
        "json",
    )
    sold = manager.post(
        f"/api/staff/events/{event.id}/box-office/",
        {"seat_ids": [s[5].id], "payment": "cash", "buyer_name": "Walk In"},
        "json",
    )
    assert [moved.status_code, refunded.status_code, sold.status_code] == [200, 200, 201]

    rows = read_csv(b"".join(admin_client.get(url(event, "sales", "csv")).streaming_content))
    status, buyer, label = (SALES_HEADER.index(c) for c in ("status", "buyer", "seat"))
    assert [(row[label], row[status], row[buyer]) for row in rows[1:]] == [
        (s[0].label, "moved", "alice"),
        (s[1].label, "refunded", "alice"),
        (s[4].label, "confirmed", "alice"),
        (s[5].label, "confirmed", "Walk In"),
    ]


def test_a_manager_exports_from_the_console_the_files_the_admin_sends(admin_client, sold):
    """Finding 3 of issue 55: the role had `export_event`, but only the admin exported."""
    event = sold[0]
    manager, box_office = staff_api("Manager"), staff_api("Box office")
    for what, format in EXPORTS:
        route = f"/api/staff/events/{event.pk}/export/{what}.{format}"
        answer = manager.get(route)
        assert answer.status_code == 200, (route, answer.status_code)
        admins = admin_client.get(url(event, what, format)).streaming_content
        if format == "csv":
            assert b"".join(answer.streaming_content) == b"".join(admins)
        else:
            assert read_xlsx(b"".join(answer.streaming_content)) == read_xlsx(b"".join(admins))
        assert box_office.get(route).json()["code"] == "forbidden"
    unknown = manager.get(f"/api/staff/events/{event.pk}/export/refunds.csv")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    gone = manager.get(f"/api/staff/events/{event.pk + 99}/export/sales.csv")
    assert (gone.status_code, gone.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("reason", ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_csv_cell_that_a_spreadsheet_would_run_is_written_as_text(admin_client, reason):
    """OWASP's rule for CSV injection: a leading quote keeps the cell text."""
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()
    admin_client.post(
        "/admin/reservations/seat/",
        {"action": "block_selected", "_selected_action": [seat.pk], "reason": reason},
    )
    rows = read_csv(b"".join(admin_client.get(url(event, "ledger", "csv")).streaming_content))
    assert rows[1][LEDGER_HEADER.index("reason")].startswith("'" + reason[0])
