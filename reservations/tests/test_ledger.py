"""The ledger (reservations/ledger/): every change of a seat, on every path, is one row of it,
written in the change's transaction, with who, through what and why."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from harness.servers import full_stack_env, manage_each, migrated_sqlite
from reservations import services
from reservations.ledger.inventory import inventory_disagreements
from reservations.ledger.models import AppendOnly, SeatChange, Via
from reservations.models import PriceCategory, Reservation, Seat
from reservations.services.categories import category_price_set
from reservations.services.event_deletion import events_delete

from . import booking_calls
from .conftest import bearer_client
from .console_staff import staff_in
from .factories import UserFactory, event_with_seats
from .fast_calls import bearer, call, lock_path, on_one_loop

AVAILABLE, LOCKED, RESERVED = "available", "locked", "reserved"


class Ledger:
    """The ledger's rows written since the last look, as (seat, before, after, version, via,
    account, actor, reason, reservation) with seats as their positions in the event, by seat
    and version (one UPDATE writes its rows in no set order)."""

    def __init__(self, seats):
        self.positions = {seat.id: n for n, seat in enumerate(seats)}
        self.seen = SeatChange.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def new(self) -> list[tuple]:
        rows = list(
            SeatChange.objects.filter(id__gt=self.seen).values_list(
                "id",
                "seat_id",
                "status_before",
                "status_after",
                "version",
                "via",
                "account_id",
                "actor_id",
                "reason",
                "reservation_id",
            )
        )
        if rows:
            self.seen = rows[-1][0]
        return by_seat([(self.positions[seat], *rest) for _, seat, *rest in rows])


def by_seat(changes: list[tuple]) -> list[tuple]:
    return sorted(changes, key=lambda change: (change[0], change[3]))


@pytest.mark.django_db(transaction=True)
def test_every_way_the_code_changes_a_seat_is_in_the_ledger(fast, admin_client, settings):
    event = event_with_seats(rows=2, seats_per_row=6)
    seats = list(event.seats.order_by("id"))
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    staff = int(admin_client.session["_auth_user_id"])
    ledger = Ledger(seats)
    django = bearer_client(alice)
    online = Via.ONLINE.value

    def post(path, body=None):
        response = django.post(f"/api/{path}", body or {}, format="json")
        assert response.status_code in (200, 201), response.content
        return response.json()

    # Django's path: hold one, hold several, extend, release, best available, reserve, cancel.
    post(f"events/{event.id}/seats/{seats[0].id}/lock/")
    assert ledger.new() == [(0, AVAILABLE, LOCKED, 1, online, alice.id, None, "", None)]
    post(f"events/{event.id}/lock/", {"seat_ids": [seats[1].id, seats[2].id]})
    assert ledger.new() == [
        (1, AVAILABLE, LOCKED, 1, online, alice.id, None, "", None),
        (2, AVAILABLE, LOCKED, 1, online, alice.id, None, "", None),
    ]
    settings.SEAT_LOCK_SECONDS += 10  # so that an extension now adds time
    post(f"events/{event.id}/seats/{seats[0].id}/extend/")
    assert ledger.new() == [(0, LOCKED, LOCKED, 2, online, alice.id, None, "", None)]
    post(f"events/{event.id}/seats/{seats[1].id}/unlock/")
    assert ledger.new() == [(1, LOCKED, AVAILABLE, 2, online, alice.id, None, "", None)]
    best = post(f"events/{event.id}/best/", {"count": 2})
    best_positions = sorted(ledger.positions[seat["id"]] for seat in best["seats"])
    assert ledger.new() == [
        (n, AVAILABLE, LOCKED, 3 if n == 1 else 1, online, alice.id, None, "", None)
        for n in best_positions
    ]
    booking = post(f"events/{event.id}/reserve/", {"seat_ids": [seats[0].id, seats[2].id]})
    first = booking["reservation"]["id"]
    assert ledger.new() == [
        (0, LOCKED, RESERVED, 3, online, alice.id, None, "", first),
        (2, LOCKED, RESERVED, 2, online, alice.id, None, "", first),
    ]
    post(f"reservations/{first}/cancel/")
    assert ledger.new() == [
        (0, RESERVED, AVAILABLE, 4, online, alice.id, None, "", first),
        (2, RESERVED, AVAILABLE, 3, online, alice.id, None, "", first),
    ]

    # The fast path: hold one, release it, hold several, reserve, cancel.
    token = [(b"authorization", bearer(bob))]

    async def on_the_fast_path():
        answers = [
            await call(fast, lock_path(event, seats[6]), headers=token),
            await call(fast, lock_path(event, seats[6], "unlock"), headers=token),
            await call(
                fast,
                f"/api/events/{event.id}/lock/",
                headers=[*token, (b"content-type", b"application/json")],
                body=f'{{"seat_ids": [{seats[6].id}, {seats[7].id}]}}'.encode(),
            ),
            await call(
                fast,
                f"/api/events/{event.id}/reserve/",
                headers=[*token, (b"content-type", b"application/json")],
                body=f'{{"seat_ids": [{seats[7].id}]}}'.encode(),
            ),
        ]
        reservation_id = answers[-1][1]["reservation"]["id"]
        cancelled = await call(fast, f"/api/reservations/{reservation_id}/cancel/", headers=token)
        return [status for status, _, _ in [*answers, cancelled]], reservation_id

    statuses, second = on_one_loop(fast, on_the_fast_path)
    assert statuses == [200, 200, 200, 201, 200] and fast.django_app.paths == []
    assert ledger.new() == [
        (6, AVAILABLE, LOCKED, 1, online, bob.id, None, "", None),
        (6, LOCKED, AVAILABLE, 2, online, bob.id, None, "", None),
        (6, AVAILABLE, LOCKED, 3, online, bob.id, None, "", None),
        (7, AVAILABLE, LOCKED, 1, online, bob.id, None, "", None),
        (7, LOCKED, RESERVED, 2, online, bob.id, None, "", second),
        (7, RESERVED, AVAILABLE, 3, online, bob.id, None, "", second),
    ]

    # The sweeper's lapse of bob's hold of seat 6 and of alice's best available.
    services.locks_expire(now=timezone.now() + timedelta(hours=1))
    assert ledger.new() == by_seat(
        [
            (n, LOCKED, AVAILABLE, 4 if n == 1 else 2, "sweeper", alice.id, None, "", None)
            for n in best_positions
        ]
        + [(6, LOCKED, AVAILABLE, 4, "sweeper", bob.id, None, "", None)]
    )

    # The admin, through the services: block with a reason, unblock, re-categorise, cancel.
    versions = dict(Seat.objects.values_list("id", "version"))

    def action(name, path="seat", **fields):
        response = admin_client.post(f"/admin/reservations/{path}/", {"action": name, **fields})
        assert response.status_code == 302

    action("block_selected", _selected_action=[seats[10].id], reason="sound desk")
    assert ledger.new() == [
        (10, AVAILABLE, RESERVED, 1, "admin", None, staff, "sound desk (killed)", None)
    ]
    action("unblock_selected", _selected_action=[seats[10].id])
    assert ledger.new() == [(10, RESERVED, AVAILABLE, 2, "admin", None, staff, "", None)]
    premium = PriceCategory.objects.create(
        event=event, name="Premium", price=Decimal("90.00"), colour="#aa0000"
    )
    action("categorise_selected", _selected_action=[seats[0].id], category=premium.pk)
    version = versions[seats[0].id] + 1
    assert ledger.new() == [(0, AVAILABLE, AVAILABLE, version, "admin", None, staff, "", None)]
    post(f"events/{event.id}/seats/{seats[11].id}/lock/")
    third = post(f"events/{event.id}/reserve/", {"seat_ids": [seats[11].id]})["reservation"]["id"]
    ledger.new()
    action("cancel_selected", path="reservation", _selected_action=[third])
    assert ledger.new() == [(11, RESERVED, AVAILABLE, 3, "admin", alice.id, staff, "", third)]

    # The organiser's console: keep back, release, sell at the box office, reseat, refund.
    manager = staff_in("Manager")
    console = bearer_client(manager)
    ids = {n: seats[n].id for n in (6, 7, 10)}

    def staff(path, body):
        response = console.post(f"/api/staff/{path}", body, format="json")
        assert response.status_code in (200, 201), response.content
        return response.json()

    def console_rows(via=Via.CONSOLE.value):
        return [
            (n, before, after, how, actor)
            for n, before, after, _, how, _, actor, *_ in ledger.new()
            if how == via
        ]

    staff(
        f"events/{event.id}/off-sale/take/",
        {"seat_ids": [ids[6]], "kind": "kept", "purpose": "press"},
    )
    assert console_rows() == [(6, AVAILABLE, RESERVED, "console", manager.id)]
    staff(f"events/{event.id}/off-sale/release/", {"seat_ids": [ids[6]]})
    assert console_rows() == [(6, RESERVED, AVAILABLE, "console", manager.id)]
    sale = staff(f"events/{event.id}/box-office/", {"seat_ids": [ids[7]], "payment": "cash"})
    sold = sale["reservation"]["id"]
    assert [
        (n, before, after, reservation)
        for n, before, after, _, _, _, _, _, reservation in ledger.new()
    ] == [(7, AVAILABLE, RESERVED, sold)]
    staff(f"reservations/{sold}/reseat/", {"moves": [[ids[7], ids[10]]]})
    assert console_rows() == [
        (7, RESERVED, AVAILABLE, "console", manager.id),
        (10, AVAILABLE, RESERVED, "console", manager.id),
    ]
    staff(f"reservations/{sold}/refund/", {"refunded": "50.00", "reason": "moved"})
    assert console_rows() == [(10, RESERVED, AVAILABLE, "console", manager.id)]

    # Repricing with no context said: recorded all the same, as unknown.
    post(f"events/{event.id}/seats/{seats[0].id}/lock/")
    ledger.new()
    category_price_set(category_id=premium.pk, price=Decimal("95.00"))
    assert ledger.new() == [(0, LOCKED, LOCKED, version + 2, "unknown", alice.id, None, "", None)]

    # Raw SQL around every service: recorded too.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reservations_seat SET version = version + 1 WHERE id = %s", [seats[5].id]
        )
    assert ledger.new() == [(5, AVAILABLE, AVAILABLE, 1, "unknown", None, None, "", None)]

    # One row per version step, none for anything else, and the inventory agrees.
    assert (
        SeatChange.objects.filter(event=event).count()
        == event.seats.aggregate(total=Sum("version"))["total"]
    )
    for seat in event.seats.all():
        story = list(SeatChange.objects.filter(seat=seat).values_list("version", flat=True))
        assert story == list(range(1, seat.version + 1))
    assert Reservation.objects.filter(event=event).count() == 4
    assert inventory_disagreements(event_id=event.id) == []


@pytest.mark.django_db
def test_a_write_that_changes_neither_status_nor_version_leaves_no_row(event, seats):
    seat = seats[0]
    seat.blocked_reason = "a note"
    seat.save(update_fields=["blocked_reason"])
    Seat.objects.filter(pk=seat.pk).update(status=AVAILABLE, version=0)  # the same values
    assert not SeatChange.objects.exists()


def trigger_off() -> None:
    """The ledger's trigger off, until the test's transaction rolls back."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: ALTER
        cursor.execute("ALTER TABLE reservations_seat DISABLE TRIGGER reservations_seat_change")


@pytest.mark.django_db
def test_with_the_trigger_off_a_change_escapes_the_ledger(event, seats, alice):
    """The negative control: the same hold without the trigger leaves no row, and the replay
    of the ledger no longer ends where the seat is."""
    trigger_off()
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
    assert not SeatChange.objects.exists()
    assert inventory_disagreements(event_id=event.id) == [
        "The ledger's trigger reservations_seat_change is disabled: seats change unrecorded.",
        f"seat {seats[0].label} (id {seats[0].id}): the ledger leaves it available at "
        "version 0, but it is locked at version 1.",
    ]


@pytest.mark.django_db
def test_the_ledger_is_never_changed_through_the_orm(event, seats, alice):
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
    change = SeatChange.objects.get()
    with pytest.raises(AppendOnly):
        change.save()
    with pytest.raises(AppendOnly):
        change.delete()
    with pytest.raises(AppendOnly), transaction.atomic():
        SeatChange.objects.update(reason="rewritten")
    with pytest.raises(AppendOnly), transaction.atomic():
        SeatChange.objects.all().delete()
    assert SeatChange.objects.get().reason == ""


@pytest.mark.django_db
def test_an_events_story_goes_with_the_event(event, seats, alice):
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
    booking_calls.unlock(user=alice, event_id=event.id, seat_id=seats[0].id)
    other = event_with_seats(name="Another")
    booking_calls.lock(user=alice, event_id=other.id, seat_id=other.seats.first().id)
    events_delete(event_ids=[event.id])
    assert list(SeatChange.objects.values_list("event_id", flat=True)) == [other.id]


# The embedded default's database: the same changes, recorded by SQLite's trigger, with the
# context read by the function each connection is given (run in a process of its own).
SQLITE_SCRIPT = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from reservations import services
from reservations.ledger.context import seat_changes
from reservations.ledger.models import SeatChange, Via
from reservations.models import Event
from reservations.tests import booking_calls
event = Event.objects.get(name="Concert XYZ")
a, b, c = event.seats.order_by("id")[:3]
alice = get_user_model().objects.get(username="alice")
with seat_changes(Via.ONLINE):
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[a.id, b.id, c.id])
    booking_calls.unlock(user=alice, event_id=event.id, seat_id=c.id)
    booking = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[a.id])
    booking_calls.cancel(user=alice, reservation_id=booking.reservation.pk)
services.locks_expire(now=timezone.now() + timedelta(hours=1))
rows = SeatChange.objects.values_list(
    "seat_id", "status_before", "status_after", "version", "via", "account_id", "reservation_id"
)
print(json.dumps({"seats": [a.id, b.id, c.id], "alice": alice.id,
                  "reservation": booking.reservation.pk, "rows": sorted(rows)}))
"""


@pytest.mark.slow
def test_on_sqlite_the_ledger_records_hold_release_reserve_cancel_and_lapse(tmp_path):
    env = full_stack_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="")
    migrated_sqlite(env)
    _, made, inventory = manage_each(
        env, ("shell", "-c", SETUP_SCRIPT), ("shell", "-c", SQLITE_SCRIPT), ("check_inventory",)
    )
    found = json.loads(made.splitlines()[-1])
    (a, b, c), alice, booking = found["seats"], found["alice"], found["reservation"]
    assert [tuple(row) for row in found["rows"]] == sorted(
        [
            (a, AVAILABLE, LOCKED, 1, "online", alice, None),
            (a, LOCKED, RESERVED, 2, "online", alice, booking),
            (a, RESERVED, AVAILABLE, 3, "online", alice, booking),
            (b, AVAILABLE, LOCKED, 1, "online", alice, None),
            (b, LOCKED, AVAILABLE, 2, "sweeper", alice, None),
            (c, AVAILABLE, LOCKED, 1, "online", alice, None),
            (c, LOCKED, AVAILABLE, 2, "online", alice, None),
        ]
    )
    assert inventory.strip() == ("The inventory of every event agrees with its ledger.")


SETUP_SCRIPT = """
from reservations.tests.factories import UserFactory, event_with_seats
event_with_seats()
UserFactory(username="alice")
"""
