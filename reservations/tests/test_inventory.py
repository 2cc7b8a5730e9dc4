"""`manage.py check_inventory` (reservations/ledger/inventory.py): the ledger replayed against the
seats, the seats against the reservations; any disagreement is listed, and the exit is 1."""

from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.db import connection

from reservations.models import Reservation, ReservedSeat
from reservations.tickets.door import codes_of

from . import booking_calls
from .console_staff import staff_in
from .test_ledger import trigger_off

pytestmark = pytest.mark.django_db


def inventory(*args: str) -> tuple[int, list[str]]:
    """The command's exit status and its lines, run as `manage.py check_inventory` is."""
    out, err = StringIO(), StringIO()
    try:
        call_command("check_inventory", *args, stdout=out, stderr=err)
        status = 0
    except Exception as exc:  # CommandError: manage.py prints it and exits 1
        status, err = 1, StringIO(f"{exc}\n")
    return status, [*out.getvalue().splitlines(), *err.getvalue().splitlines()]


def sql(text: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(text, params)


@pytest.fixture
def booked(event, seats, alice):
    """Seat 0 booked by alice; seat 1 booked and cancelled; seat 2 held."""
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[seats[0].id, seats[1].id])
    kept = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seats[0].id])
    gone = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seats[1].id])
    booking_calls.cancel(user=alice, reservation_id=gone.reservation.pk)
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[2].id)
    return kept.reservation


def test_an_event_after_bookings_and_cancellations_agrees(booked, event):
    assert inventory() == (0, ["The inventory of every event agrees with its ledger."])
    assert inventory("--event", str(event.id)) == (
        0,
        [f"The inventory of event {event.id} agrees with its ledger."],
    )


def test_a_seat_sold_twice_is_listed_and_the_exit_is_1(booked, seats, alice, bob, capsys):
    sql("DROP INDEX seat_sold_once")  # the database's own guard, gone in this test's transaction
    second = Reservation.objects.create(user=bob, event=booked.event, total_price=50)
    ReservedSeat.objects.create(reservation=second, seat=seats[0], price=50)
    a1 = f"seat {seats[0].label} (id {seats[0].id})"
    assert inventory() == (
        1,
        [
            f"{a1} is in 2 live reservations: {booked.pk}, {second.pk}.",
            f"{a1} is booked by account {alice.id}, but its reservation {second.pk} is "
            f"account {bob.id}'s.",
            "2 disagreements in the inventory of every event.",
        ],
    )
    # manage.py itself: the list on stdout, the count on stderr, exit status 1.
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "check_inventory"]).execute()
    assert exited.value.code == 1
    printed = capsys.readouterr()
    assert f"{a1} is in 2 live reservations" in printed.out
    assert "2 disagreements" in printed.err


def test_a_booked_seat_in_no_reservation_is_listed(booked, seats, alice):
    sql(
        "UPDATE reservations_seat SET status = 'reserved', held_by_id = NULL, held_until = NULL,"
        " reserved_by_id = %s, version = version + 1 WHERE id = %s",
        alice.id,
        seats[3].id,
    )
    assert inventory() == (
        1,
        [
            f"seat {seats[3].label} (id {seats[3].id}) is booked (by account {alice.id}) but in "
            "no confirmed reservation.",
            "1 disagreement in the inventory of every event.",
        ],
    )


def test_a_reservation_whose_seat_is_not_booked_is_listed(booked, seats):
    sql(
        "UPDATE reservations_seat SET status = 'available', reserved_by_id = NULL,"
        " version = version + 1 WHERE id = %s",
        seats[0].id,
    )
    assert inventory() == (
        1,
        [
            f"seat {seats[0].label} (id {seats[0].id}) is in confirmed reservation {booked.pk} "
            "but available.",
            "1 disagreement in the inventory of every event.",
        ],
    )


def test_a_change_the_ledger_missed_is_listed(booked, seats, alice):
    trigger_off()
    sql("UPDATE reservations_seat SET version = version + 1 WHERE id = %s", seats[4].id)
    sql("ALTER TABLE reservations_seat ENABLE TRIGGER reservations_seat_change")
    a5 = f"seat {seats[4].label} (id {seats[4].id})"
    assert inventory() == (
        1,
        [
            f"{a5}: the ledger leaves it available at version 0, but it is available at version 1.",
            "1 disagreement in the inventory of every event.",
        ],
    )
    # A change after the missed one starts where the ledger never saw the seat go.
    booking_calls.lock(user=alice, event_id=booked.event_id, seat_id=seats[4].id)
    status, lines = inventory()
    assert status == 1 and lines[0].startswith(f"{a5}: the ledger's change ")
    assert lines[0].endswith(
        "goes from available to version 2, but the change before it left the seat available "
        "at version 0."
    )


def test_the_operator_reads_an_events_check_as_json_and_a_stranger_is_refused(
    api, booked, seats, settings
):
    """GET /api/events/{id}/inventory/: guarded as the metrics are (metrics_access.py)."""
    url = f"/api/events/{booked.event_id}/inventory/"
    answer = api.get(url)  # from this machine: METRICS_ALLOWED_NETWORKS' default
    assert answer.status_code == 200
    body = answer.json()
    assert body.pop("seconds") >= 0
    assert body == {
        "event": booked.event_id,
        "agrees": True,
        "disagreement_count": 0,
        "disagreements": [],
    }
    sql(
        "UPDATE reservations_seat SET status = 'available', reserved_by_id = NULL,"
        " version = version + 1 WHERE id = %s",
        seats[0].id,
    )
    body = api.get(url).json()
    assert (body["agrees"], body["disagreement_count"]) == (False, 1)
    assert body["disagreements"][0] == (
        f"seat {seats[0].label} (id {seats[0].id}) is in confirmed reservation {booked.pk} "
        "but available."
    )
    assert api.get("/api/events/999999/inventory/").json()["code"] == "not_found"
    settings.METRICS_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    settings.METRICS_TOKEN = "operator-token-1"
    refused = api.get(url)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert api.get(url, HTTP_AUTHORIZATION="Bearer operator-token-1").status_code == 200


def test_a_gate_whose_count_is_not_its_check_ins_is_listed(booked, event):
    ((_, code),) = codes_of(booked)
    gatekeeper = staff_in("Door")
    booking_calls.scan(user=gatekeeper, event_id=event.id, code=code, nonce="inventory-1")
    assert inventory()[0] == 0  # the count kept by the check-in is its check-ins'
    sql("UPDATE reservations_gatecount SET entered = entered + 1")
    assert inventory() == (
        1,
        [
            f"Gate North of event {event.id} counts 2 in and 0 out, but its check-ins are 1 in "
            "and 0 out.",
            "1 disagreement in the inventory of every event.",
        ],
    )


def test_an_unknown_event_is_one_line_and_exit_1_never_agrees(event, capsys):
    """As the operator's route answers 404: a mistyped id is not an event that agrees."""
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "check_inventory", "--event", str(event.id + 99)]).execute()
    printed = capsys.readouterr()
    assert (exited.value.code, printed.out) == (1, "")
    # (Then only the test's pool, warning of the connection manage.py let go in its transaction.)
    assert printed.err.startswith(f"CommandError: There is no event {event.id + 99}.\n")
    assert "Traceback" not in printed.err
