from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, ManagementUtility, call_command

from reservations.management.commands.seed_demo import grid_event_id
from reservations.models import Event, Seat

pytestmark = pytest.mark.django_db


def test_create_event_prints_the_new_id_alone_on_its_last_line():
    out = StringIO()
    call_command(
        "create_event",
        "--name",
        "Gala",
        "--rows",
        "3",
        "--seats-per-row",
        "4",
        "--price",
        "25",
        "--sections",
        "3",
        stdout=out,
        stderr=StringIO(),
    )
    event_id = int(out.getvalue().strip().splitlines()[-1])
    event = Event.objects.get(pk=event_id)
    assert event.name == "Gala" and event.seats.count() == 12
    assert set(event.seats.values_list("section", flat=True)) == {"Floor", "Balcony", "Gallery"}
    assert str(event.seats.first().price) == "25.00"
    assert event.currency == "EUR"


def test_create_event_takes_the_currency_of_its_prices():
    out = StringIO()
    call_command(
        "create_event",
        *("--name", "Proms", "--rows", "1", "--seats-per-row", "2", "--price", "9"),
        *("--currency", "GBP"),
        stdout=out,
        stderr=StringIO(),
    )
    assert Event.objects.get(pk=int(out.getvalue().split()[-1])).currency == "GBP"


def test_create_event_takes_a_purchase_limit_fit_for_a_load_test():
    out = StringIO()
    call_command(
        "create_event",
        *("--name", "Load", "--rows", "1", "--seats-per-row", "2", "--price", "9"),
        *("--purchase-limit", "1000"),
        stdout=out,
        stderr=StringIO(),
    )
    assert Event.objects.get(pk=int(out.getvalue().split()[-1])).purchase_limit == 1000


def test_create_event_takes_how_it_is_paid_and_its_pay_window():
    out = StringIO()
    call_command(
        "create_event",
        *("--name", "Paid", "--rows", "1", "--seats-per-row", "2", "--price", "9"),
        *("--paid-with", "venue", "--pay-window-minutes", "20"),
        stdout=out,
        stderr=StringIO(),
    )
    event = Event.objects.get(pk=int(out.getvalue().split()[-1]))
    assert (event.paid_with, event.pay_window_seconds) == ("venue", 1200)


def test_create_event_refuses_a_pay_window_out_of_range_in_one_line():
    with pytest.raises(CommandError, match="--pay-window-minutes must be 1 to 1440"):
        call_command(
            "create_event",
            *("--name", "Paid", "--rows", "1", "--seats-per-row", "2", "--price", "9"),
            *("--pay-window-minutes", "0"),
            stdout=StringIO(),
            stderr=StringIO(),
        )


def test_create_event_limits_holds_per_network_only_when_asked():
    made = []
    for flag in ([], ["--holds-limited-per-network"]):
        out = StringIO()
        call_command(
            "create_event",
            *("--name", "Club", "--rows", "1", "--seats-per-row", "2", "--price", "9", *flag),
            stdout=out,
            stderr=StringIO(),
        )
        made.append(Event.objects.get(pk=int(out.getvalue().split()[-1])))
    assert [event.holds_limited_per_network for event in made] == [False, True]


# Values only the command can judge: each one line on stderr from manage.py, no traceback.
BAD_VALUES = [
    ["--price", "abc"],
    ["--price", "NaN"],
    ["--price", "1e20"],
    ["--price", "99999999.995"],
    ["--currency", "eur"],
    ["--starts-at", "2027-13-45T10:00"],
    ["--queue-opens", "yesterday", "--on-sale", "now+60"],
    ["--queue-opens", "2027-13-45T10:00", "--on-sale", "now+60"],
]


@pytest.mark.parametrize("args", BAD_VALUES)
def test_create_event_says_a_bad_value_in_one_line_never_a_traceback(args, capsys):
    grid = ["--name", "X", "--rows", "2", "--seats-per-row", "2", "--price", "10"]
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "create_event", *grid, *args]).execute()
    printed = capsys.readouterr()
    assert exited.value.code == 1
    assert printed.err.startswith("CommandError: "), printed.err
    assert "Traceback" not in printed.err


@pytest.mark.parametrize(
    "args",
    [
        ["--rows", "0"],
        ["--price", "abc"],
        ["--price", "-1"],
        ["--currency", "euro"],
        ["--purchase-limit", "0"],
        *BAD_VALUES,
    ],
)
def test_create_event_refuses_bad_arguments(args):
    base = {"--name": "X", "--rows": "2", "--seats-per-row": "2", "--price": "10"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises((CommandError, SystemExit)):
        call_command(
            "create_event",
            *[x for pair in base.items() for x in pair],
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert not Event.objects.exists()


def test_seed_demo_seeds_a_grid_a_theatre_an_arena_and_a_queued_sale_and_is_safe_to_run_twice():
    """What a first run seeds, and which is which in what it says; then the same demo after a
    second run. One test: each run seeds some 22,000 seats, and the second starts from the
    first's."""
    out = StringIO()
    call_command("seed_demo", stdout=out)
    grid = Event.objects.get(pk=grid_event_id(out.getvalue()))
    assert grid.layout is None and grid.seats.count() == 200
    rooms = Event.objects.exclude(pk=grid.pk)
    assert sorted(event.seats.count() for event in rooms) == [40, 1986, 19671]
    assert f"event {grid.pk}  Concert XYZ (a grid, 200 seats)" in out.getvalue()
    queued = Event.objects.get(waiting_room__isnull=False)
    assert queued.waiting_room.on_sale_at > queued.waiting_room.opens_at
    assert "(a grid behind a waiting room, 40 seats)" in out.getvalue()
    # One demo event takes payment (API.md "Paying"): at the box office.
    paid = Event.objects.exclude(paid_with="")
    assert [(e.name, e.paid_with) for e in paid] == [("An Evening at the Playhouse", "venue")]
    assert "(a theatre, paid at the venue, 1,986 seats)" in out.getvalue()

    call_command("seed_demo", stdout=StringIO())

    grid, theatre, arena, queued = Event.objects.order_by("id")
    assert (grid.layout, grid.seats.count()) == (None, 200)
    assert arena.seats.count() == 19671 and queued.waiting_room is not None
    assert theatre.layout is not None and theatre.seats.count() > 1000
    assert theatre.categories.count() >= 3 and theatre.seats.filter(accessible=True).exists()
    assert authenticate(username="alice", password="seats-demo-1") is not None
    assert authenticate(username="bob", password="seats-demo-1") is not None
    organiser = authenticate(username="organiser", password="seats-demo-1")
    assert organiser.has_perm("reservations.keep_seats")
    boxoffice = authenticate(username="boxoffice", password="seats-demo-1")
    assert boxoffice.has_perm("reservations.sell_at_box_office")
    assert not boxoffice.has_perm("reservations.keep_seats")
    assert not authenticate(username="alice", password="seats-demo-1").has_perm(
        "reservations.view_console"
    )


def test_sweep_locks_once(alice):
    from datetime import timedelta

    from django.utils import timezone

    from reservations.tests.factories import event_with_seats

    event = event_with_seats(rows=1, seats_per_row=2)
    Seat.objects.filter(event=event).update(
        status="locked", held_by=alice, held_until=timezone.now() - timedelta(seconds=5)
    )
    out = StringIO()
    call_command("sweep_locks", "--once", stdout=out)
    assert "2 locks expired" in out.getvalue()
    assert Seat.objects.filter(status="available").count() == 2


@pytest.mark.parametrize("interval", ["0", "-1"])
def test_sweep_locks_refuses_an_interval_that_would_spin(interval):
    with pytest.raises(CommandError, match="--interval must be above 0 seconds"):
        call_command("sweep_locks", "--interval", interval)


def test_create_event_puts_a_waiting_room_in_front_of_the_sale():
    from reservations.models import WaitingRoom

    out = StringIO()
    call_command(
        "create_event",
        *("--name", "Queued", "--rows", "2", "--seats-per-row", "3", "--price", "10"),
        *("--queue-opens", "now+0", "--on-sale", "now+90", "--turn-minutes", "5"),
        *("--max-active", "40"),
        stdout=out,
        stderr=StringIO(),
    )
    room = WaitingRoom.objects.get(event_id=int(out.getvalue().split()[-1]))
    assert (room.turn_seconds, room.max_active, room.claim_seconds) == (300, 40, 120)
    assert 85 <= (room.on_sale_at - room.opens_at).total_seconds() <= 95


def test_create_event_refuses_an_on_sale_before_the_queue_opens():
    with pytest.raises(CommandError, match="on-sale"):
        call_command(
            "create_event",
            *("--name", "X", "--rows", "1", "--seats-per-row", "1", "--price", "1"),
            *("--queue-opens", "now+60", "--on-sale", "now+0"),
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert not Event.objects.exists()


def test_create_load_users_refuses_a_prefix_that_makes_names_too_long():
    from django.contrib.auth import get_user_model

    with pytest.raises(CommandError, match="--prefix must be at most 148 characters for 10"):
        call_command("create_load_users", "--count", "10", "--prefix", "x" * 149)
    assert not get_user_model().objects.filter(username__startswith="x").exists()


def test_create_load_users_that_cannot_write_its_file_says_so_and_makes_nobody(tmp_path):
    from django.contrib.auth import get_user_model

    with pytest.raises(CommandError, match=f"cannot write {tmp_path}: Is a directory"):
        call_command("create_load_users", "--count", "3", "--output", str(tmp_path))
    assert not get_user_model().objects.filter(username__startswith="load-").exists()
