"""The demo's database held to the buyer's rules (issue 56, item 8): `make run` books on SQLite,
where rules.py and booking/sql/ say each rule in SQLite's words (`MIN` for `LEAST`, Django's
date arithmetic for the run's end, no row locks: IMMEDIATE transactions serialize the writes).
Here each rule is met at its cap on a SQLite file with the demo's settings (config/settings.py:
IMMEDIATE, WAL), through the booking calls as Django's path runs them (booking_calls.py:
operation_views.run_call, run_and_announce) in a process of its own, since the suite's own is on
PostgreSQL. Each test names a scene below, which that process plays and answers in JSON; the
test says what the answer must be. The same rules on PostgreSQL: test_purchase_limits.py,
test_hold_run.py, test_hold_extension.py, test_races.py."""

import json
import traceback
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from harness.servers import full_stack_env, manage, migrated_sqlite
from reservations.exceptions import BookingError
from reservations.models import Event, Seat

from . import booking_calls
from .factories import UserFactory, event_with_seats
from .races import run_together

# Short runs, as test_hold_run.py has them: a hold of 30 s, a run of 60, a cooldown of 120.
SHORT_RUNS = {
    "SEAT_LOCK_SECONDS": 30,
    "SEAT_HOLD_MAX_SECONDS": 60,
    "SEAT_HOLD_COOLDOWN_SECONDS": 120,
}


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory):
    """`on_sqlite(scene)`: what the scene (a function of this module) answers, played by a
    process of the demo's settings on a SQLite file migrated once for the module. One process
    plays every scene, in turn, when the first is asked for (a start-up of Django costs more
    than a scene): each on its own event, with its own settings, its answer or its error kept
    for the test that asks."""
    database = tmp_path_factory.mktemp("demo") / "db.sqlite3"
    env = full_stack_env(DATABASE_URL=f"sqlite:///{database}", REDIS_URL="")
    migrated_sqlite(env)
    answers = {}

    def play(scene) -> object:
        if not answers:
            code = (
                "import json; from reservations.tests.test_rules_on_sqlite import played"
                "; print('\\n' + json.dumps(played()))"
            )
            answers.update(json.loads(manage(env, "shell", "-c", code).splitlines()[-1]))
        answer = answers[scene.__name__]
        assert "error" not in answer, answer.get("error")
        return answer["answer"]

    return play


def test_the_hold_limit_at_its_cap(on_sqlite):
    # Three held one by one (the one-statement hold), a fourth refused by it and by the long way
    # (lock several); another buyer is not counted with them.
    assert on_sqlite(holding_past_the_hold_limit) == ["ok"] * 3 + ["hold_limit"] * 2 + ["ok"]


def test_the_purchase_limit_at_its_cap_counts_holds_and_bookings(on_sqlite):
    assert on_sqlite(holding_and_booking_past_the_purchase_limit) == {
        "two held, two booked, two held": ["ok"] * 5,
        "a fifth": ["purchase_limit", 4, 2, 2],
        "a fifth among several": "purchase_limit",
        "booking the two held": "ok",
        "and then another": "purchase_limit",
    }


def test_the_run_cap_ends_a_continued_hold_and_refuses_one_past_it(on_sqlite):
    assert on_sqlite(holding_to_the_run_cap) == {
        "a hold continuing a run of 40 s ends at its cap": True,
        "past the cap": "hold_cap_reached",
        "told when again: the cooldown after the last hold ended": True,
    }


def test_the_cooldown_keeps_the_capped_buyer_out_until_it_is_over(on_sqlite):
    assert on_sqlite(holding_after_the_cooldown) == {
        "a moment before its end": "hold_cap_reached",
        "a moment after": "ok",
        "a fresh run: a full hold": True,
    }


def test_an_extension_stops_at_the_run_cap(on_sqlite):
    assert on_sqlite(extending_to_the_run_cap) == {
        "to the cap, not a full hold": True,
        "past it": "hold_cap_reached",
    }


def test_two_buyers_at_one_seat_one_winner(on_sqlite):
    # Two threads, each its own connection to the file: SQLite runs one write transaction at a
    # time (IMMEDIATE: from its BEGIN), so the second takes its turn and finds the seat held. Ten
    # seats, so that the two meet at least once where a weaker mode would let them both read.
    assert on_sqlite(two_buyers_click_one_seat) == [["ok", "seat_unavailable"]] * 10


def test_an_order_paid_at_the_venue_is_settled_once_by_staff_who_may(on_sqlite):
    # The demo's theatre is paid at the box office: its settle's statements in SQLite's words.
    assert on_sqlite(settling_at_the_venue) == {
        "reserved": ["awaiting_payment", ["paying", "paying"]],
        "by a buyer": "forbidden",
        "of no order": "not_found",
        "by the box office": ["confirmed", ["reserved", "reserved"], "40.00"],
        "told twice": ["confirmed", "40.00", 1],
    }


# --- The scenes, played in the SQLite process ----------------------------------------------


# The settings each scene changed, put back before the next one (played()).
_overridden: list = []


def played() -> dict:
    """{scene's name: {"answer": its answer} or {"error": its traceback}}, each scene in turn."""
    answers = {}
    for scene in SCENES:
        try:
            answers[scene.__name__] = {"answer": scene()}
        except Exception:
            answers[scene.__name__] = {"error": traceback.format_exc()}
        finally:
            while _overridden:
                _overridden.pop().disable()
    return answers


def _refusal(call) -> BookingError | None:
    try:
        call()
    except BookingError as refused:
        return refused
    return None


def _code(call) -> str:
    refused = _refusal(call)
    return "ok" if refused is None else refused.code


def _scene(**settings):
    """An event of 20 seats and two buyers, with these settings (for the rest of the scene)."""
    overridden = override_settings(**settings)
    overridden.enable()
    _overridden.append(overridden)
    event = event_with_seats(rows=2, seats_per_row=10)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    return event, list(event.seats.order_by("id")), alice, bob


def _lock(user, event, seat):
    return lambda: booking_calls.lock(user=user, event_id=event.id, seat_id=seat.id)


def _lock_several(user, event, seats):
    ids = [s.id for s in seats]
    return lambda: booking_calls.lock_several(user=user, event_id=event.id, seat_ids=ids)


def _reserve(user, event, seats):
    ids = [s.id for s in seats]
    return lambda: booking_calls.reserve(user=user, event_id=event.id, seat_ids=ids)


def _set(seat, **seconds_from_now: float) -> None:
    """Move the seat's times (`held_since=-40`: 40 s ago) as the booking calls write them: with
    an offset (the ORM would write them without one, which no seat's hold has on SQLite)."""
    now = timezone.now()
    times = {name: now + timedelta(seconds=s) for name, s in seconds_from_now.items()}
    columns = ", ".join(f"{name} = %({name})s" for name in times)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Seat._meta.db_table} SET {columns} WHERE id = %(id)s",
            {**times, "id": seat.id},
        )


def holding_past_the_hold_limit() -> list[str]:
    event, seats, alice, bob = _scene(SEAT_HOLD_LIMIT=3)
    codes = [_code(_lock(alice, event, seat)) for seat in seats[:4]]
    codes.append(_code(_lock_several(alice, event, seats[4:5])))
    return [*codes, _code(_lock(bob, event, seats[4]))]


def holding_and_booking_past_the_purchase_limit() -> dict:
    event, seats, alice, _ = _scene(SEAT_HOLD_LIMIT=10)
    Event.objects.filter(pk=event.pk).update(purchase_limit=4)
    calls = [_lock(alice, event, seats[0]), _lock(alice, event, seats[1])]
    calls += [_reserve(alice, event, seats[:2]), *(_lock(alice, event, s) for s in seats[2:4])]
    answers = {"two held, two booked, two held": [_code(call) for call in calls]}
    fifth = _refusal(_lock(alice, event, seats[4]))
    answers["a fifth"] = fifth and [
        fifth.code,
        *(fifth.details[k] for k in ("limit", "held", "booked")),
    ]
    answers["a fifth among several"] = _code(_lock_several(alice, event, seats[4:5]))
    answers["booking the two held"] = _code(_reserve(alice, event, seats[2:4]))
    answers["and then another"] = _code(_lock(alice, event, seats[4]))
    return answers


def holding_to_the_run_cap() -> dict:
    event, seats, alice, _ = _scene(**SHORT_RUNS)
    _lock(alice, event, seats[0])()
    _set(seats[0], held_since=-40)
    booking_calls.unlock(user=alice, event_id=event.id, seat_id=seats[0].id)
    _lock(alice, event, seats[1])()
    held = Seat.objects.get(pk=seats[1].id)
    cap = held.held_since + timedelta(seconds=60)
    answers = {"a hold continuing a run of 40 s ends at its cap": held.held_until == cap}
    _set(seats[1], held_since=-60)
    booking_calls.unlock(user=alice, event_id=event.id, seat_id=seats[1].id)
    refused = _refusal(_lock(alice, event, seats[2]))
    answers["past the cap"] = getattr(refused, "code", "ok")
    # The last of the run's holds to end: its seats remember when each ended (or would have).
    ended = max(event.seats.filter(released_by=alice).values_list("released_at", flat=True))
    again = (ended + timedelta(seconds=120)).isoformat().replace("+00:00", "Z")
    told = refused is not None and refused.details["hold_again_at"] == again
    answers["told when again: the cooldown after the last hold ended"] = told
    return answers


def holding_after_the_cooldown() -> dict:
    event, seats, alice, _ = _scene(**SHORT_RUNS)
    _lock(alice, event, seats[0])()
    booking_calls.unlock(user=alice, event_id=event.id, seat_id=seats[0].id)

    def ended_ago(seconds: float) -> None:
        """The hold let go `seconds` ago, after a run of the whole cap."""
        _set(seats[0], released_at=-seconds, released_held_since=-seconds - 60)

    ended_ago(118)
    answers = {"a moment before its end": _code(_lock(alice, event, seats[1]))}
    ended_ago(122)
    answers["a moment after"] = _code(_lock(alice, event, seats[1]))
    held = Seat.objects.get(pk=seats[1].id)
    answers["a fresh run: a full hold"] = held.held_until - held.held_since == timedelta(seconds=30)
    return answers


def extending_to_the_run_cap() -> dict:
    event, seats, alice, _ = _scene(**SHORT_RUNS)
    _lock(alice, event, seats[0])()
    _set(seats[0], held_since=-40, held_until=10)  # kept 20 s ago: the cap comes 10 s after it
    extended = booking_calls.extend(user=alice, event_id=event.id, seat_id=seats[0].id)
    held = Seat.objects.get(pk=seats[0].id)
    cap = held.held_since.replace(microsecond=0) + timedelta(seconds=60)
    answers = {"to the cap, not a full hold": extended.held_until == held.held_until == cap}
    answers["past it"] = _code(
        lambda: booking_calls.extend(user=alice, event_id=event.id, seat_id=seats[0].id)
    )
    return answers


def two_buyers_click_one_seat() -> list[list[str]]:
    event, seats, alice, bob = _scene()
    rounds = [[_lock(alice, event, s), _lock(bob, event, s)] for s in seats[:10]]
    return [
        sorted(map(str, run_together([lambda c=c: _code(c) for c in calls]))) for calls in rounds
    ]


def settling_at_the_venue() -> dict:
    event, seats, alice, bob = _scene()
    Event.objects.filter(pk=event.pk).update(paid_with=Event.PaidWith.VENUE)
    staff = UserFactory(username="box_office", is_superuser=True, is_staff=True)
    _lock_several(alice, event, seats[:2])()
    order = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[s.id for s in seats[:2]])
    order = order.reservation

    def state() -> list:
        order.refresh_from_db()
        sold = Seat.objects.filter(pk__in=[s.id for s in seats[:2]]).order_by("id")
        return [order.status, list(sold.values_list("status", flat=True))]

    def settle(user, reservation_id: int = order.pk):
        body = {"amount": "40.00", "reference": "till 1"}
        return lambda: booking_calls.settle(user=user, reservation_id=reservation_id, data=body)

    answers = {"reserved": state()}
    answers["by a buyer"] = _code(settle(bob))
    answers["of no order"] = _code(settle(staff, 999_999))
    settle(staff)()
    answers["by the box office"] = [*state(), str(order.amount_taken)]
    settle(staff)()
    answers["told twice"] = [order.status, str(order.amount_taken), order.payments.count()]
    return answers


SCENES = (
    holding_past_the_hold_limit,
    holding_and_booking_past_the_purchase_limit,
    holding_to_the_run_cap,
    holding_after_the_cooldown,
    extending_to_the_run_cap,
    two_buyers_click_one_seat,
    settling_at_the_venue,
)
