"""Places in a waiting room, the draw at the on-sale, calls and turns (API.md "Waiting room"),
on PostgreSQL with real transactions and threads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reservations.models import Event, QueueEntry, Seat, WaitingRoom
from reservations.waiting_room.draw import proof_problems
from reservations.waiting_room.places import place_join, turn_claim, turn_extend
from reservations.waiting_room.public_state import late_page_json, proof_json
from reservations.waiting_room.ticks import room_tick
from reservations.waiting_room.turn_tokens import turn_token

from . import booking_calls
from .conftest import bearer_client
from .factories import VerifiedUserFactory
from .queue_rooms import event_with_room
from .races import code_of, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _room(event) -> WaitingRoom:
    return WaitingRoom.objects.get(event=event)


@pytest.fixture
def alice(db):
    """Joining asks for a verified e-mail (test_email_verification.py): every buyer here has one."""
    return VerifiedUserFactory(username="alice")


def users(n, prefix="racer"):
    return [VerifiedUserFactory(username=f"{prefix}{i}") for i in range(n)]


def test_an_account_has_one_place_whatever_its_tabs_do(alice):
    event = event_with_room(on_sale_in=600)
    clients = [bearer_client(alice) for _ in range(8)]
    answers = run_together(
        [
            lambda c=c: c.post(f"/api/events/{event.id}/queue/join/", {}, format="json")
            for c in clients
        ]
    )
    assert {code_of(a) for a in answers} == {"ok"}
    assert len({a.json()["place"]["entry_id"] for a in answers}) == 1
    assert QueueEntry.objects.filter(user=alice).count() == 1
    again = bearer_client(alice).get(f"/api/events/{event.id}/queue/").json()["place"]
    assert again["entry_id"] == answers[0].json()["place"]["entry_id"]


def test_joining_before_the_queue_opens_is_refused_and_writes_nothing(alice_api):
    event = event_with_room(opens_in=60, on_sale_in=120)
    answer = alice_api.post(f"/api/events/{event.id}/queue/join/", {}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (409, "queue_not_open")
    assert not QueueEntry.objects.exists()


def test_a_queue_call_on_an_event_without_a_room_is_no_queue(alice_api, event):
    answer = alice_api.post(f"/api/events/{event.id}/queue/join/", {}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (404, "no_queue")
    answer = alice_api.post(f"/api/events/{event.id}/queue/join/", [1], format="json")
    assert answer.status_code in (400, 404)
    answer = alice_api.get(f"/api/events/{event.id + 1000}/queue/")
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_the_draw_numbers_the_entrants_by_the_seed_and_the_late_after_them_in_join_order():
    event = event_with_room(on_sale_in=600)
    on_sale = _room(event).on_sale_at
    entrants = users(12, "early")
    for i, user in enumerate(entrants):
        place_join(user_id=user.pk, event_id=event.id, now=on_sale - timedelta(seconds=60 - i))
    late = users(3, "late")
    for i, user in enumerate(late):
        place_join(user_id=user.pk, event_id=event.id, now=on_sale + timedelta(seconds=i))
    room_tick(event_id=event.id, now=on_sale + timedelta(seconds=5))

    room = _room(event)
    assert room.drawn_at is not None and room.entrants == 12
    numbers = {e.user_id: e.number for e in QueueEntry.objects.filter(room=room)}
    assert sorted(numbers[u.pk] for u in entrants) == list(range(1, 13))
    assert [numbers[u.pk] for u in late] == [13, 14, 15]
    assert [numbers[u.pk] for u in entrants] != list(range(1, 13))  # not by join time
    proof = proof_json(room) | {"late": late_page_json(room, 0)["late"]}
    assert proof_problems(proof) == []
    assert len(proof["order"]) == 12 and len(proof["late"]) == 3
    # Who joins after the draw takes the next number.
    latest = users(1, "latest")[0]
    assert place_join(user_id=latest.pk, event_id=event.id).number == 16


def test_joins_racing_the_draw_are_each_an_entrant_or_late_none_lost_none_twice():
    event = event_with_room(on_sale_in=600)
    on_sale = _room(event).on_sale_at
    racers = users(24)
    calls = [
        lambda u=u: place_join(user_id=u.pk, event_id=event.id, now=on_sale - timedelta(seconds=1))
        for u in racers
    ]
    calls.insert(12, lambda: room_tick(event_id=event.id, now=on_sale, force=True))
    results = run_together(calls)
    assert not [r for r in results if isinstance(r, Exception)]
    room = _room(event)
    entries = list(QueueEntry.objects.filter(room=room))
    assert len(entries) == 24
    assert [e.entry_id for e in entries if e.number is None] == []  # none missed by the draw
    assert sorted(e.number for e in entries) == list(range(1, 25))
    assert room.numbered == 24
    proof = proof_json(room) | {"late": late_page_json(room, 0)["late"]}
    assert proof_problems(proof) == []
    assert len(proof["order"]) + len(proof["late"]) == 24


def _drawn_event(seats: int, buyers: int, **room):
    event = event_with_room(seats=seats, on_sale_in=600, **room)
    on_sale = _room(event).on_sale_at
    people = users(buyers)
    for user in people:
        place_join(user_id=user.pk, event_id=event.id, now=on_sale - timedelta(seconds=10))
    return event, on_sale, people


def _numbered(event, people):
    number = dict(QueueEntry.objects.filter(room__event=event).values_list("user_id", "number"))
    return sorted(people, key=lambda u: number[u.pk])


def test_a_tick_calls_as_many_numbers_as_the_free_seats_serve_in_number_order():
    event, on_sale, people = _drawn_event(seats=10, buyers=30)
    room = room_tick(event_id=event.id, now=on_sale + timedelta(seconds=1), redis_down=False)
    # Nothing measured yet: two seats a buyer, everyone comes: 10 seats, 5 buyers.
    assert (room.state, room.serving, room.seats_left) == ("admitting", 5, 10)
    called = QueueEntry.objects.filter(room=room, called_at__isnull=False)
    assert sorted(called.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    # The same tick again calls nobody: those five are expected to take the ten seats.
    room = room_tick(event_id=event.id, now=on_sale + timedelta(seconds=3), redis_down=False)
    assert room.serving == 5


def test_claim_only_when_called_and_within_the_claim_window():
    event, on_sale, people = _drawn_event(seats=4, buyers=6, claim_seconds=30)
    room_tick(event_id=event.id, now=on_sale + timedelta(seconds=1), redis_down=False)
    first, second, *rest = _numbered(event, people)
    now = on_sale + timedelta(seconds=2)
    turn = turn_claim(user_id=first.pk, event_id=event.id, now=now)
    assert turn.expires_at == now + timedelta(seconds=600)
    # Again (a reload, another tab): the same turn.
    assert turn_claim(user_id=first.pk, event_id=event.id, now=now).expires_at == turn.expires_at
    with pytest.raises(Exception) as refused:
        turn_claim(user_id=rest[-1].pk, event_id=event.id, now=now)
    assert refused.value.code == "not_your_turn"
    with pytest.raises(Exception) as lapsed:
        turn_claim(user_id=second.pk, event_id=event.id, now=on_sale + timedelta(seconds=40))
    assert lapsed.value.code == "turn_lapsed"


def test_a_turn_is_extended_once():
    event, on_sale, people = _drawn_event(seats=2, buyers=1)
    room_tick(event_id=event.id, now=on_sale, redis_down=False)
    (buyer,) = people
    turn = turn_claim(user_id=buyer.pk, event_id=event.id)
    longer = turn_extend(user_id=buyer.pk, event_id=event.id)
    assert longer.expires_at == turn.expires_at + timedelta(seconds=600) and longer.extended
    with pytest.raises(Exception) as again:
        turn_extend(user_id=buyer.pk, event_id=event.id)
    assert again.value.code == "turn_extended"


def test_nothing_free_but_holds_is_held_out_until_when_they_end_then_sold_out():
    event, on_sale, people = _drawn_event(seats=2, buyers=4)
    until = on_sale + timedelta(seconds=300)
    Seat.objects.filter(event=event).update(
        status="locked", held_by=people[0], held_until=until, held_since=on_sale
    )
    room = room_tick(event_id=event.id, now=on_sale, redis_down=False)
    assert (room.state, room.serving, room.holds_end_at) == ("held_out", 0, until)
    Seat.objects.filter(event=event).update(
        status="reserved", held_by=None, held_until=None, reserved_by=people[0]
    )
    room = room_tick(event_id=event.id, now=on_sale, redis_down=False, force=True)
    assert (room.state, room.serving) == ("sold_out", 0)
    late = users(1, "after")[0]
    with pytest.raises(Exception) as refused:
        place_join(user_id=late.pk, event_id=event.id, now=on_sale)
    assert refused.value.code == "sold_out"


def test_no_turn_is_claimed_after_sold_out():
    event, on_sale, people = _drawn_event(seats=2, buyers=2)
    room_tick(event_id=event.id, now=on_sale, redis_down=False)
    Seat.objects.filter(event=event).update(status="reserved", reserved_by=people[0])
    room_tick(event_id=event.id, now=on_sale, redis_down=False, force=True)
    with pytest.raises(Exception) as refused:
        turn_claim(user_id=_numbered(event, people)[0].pk, event_id=event.id, now=on_sale)
    assert refused.value.code == "sold_out"


def test_redis_away_pauses_admission():
    event, on_sale, people = _drawn_event(seats=10, buyers=5)
    room = room_tick(event_id=event.id, now=on_sale, redis_down=True)
    assert (room.state, room.reason, room.serving) == ("paused", "redis", 0)
    room = room_tick(event_id=event.id, now=on_sale + timedelta(seconds=2), redis_down=False)
    assert (room.state, room.serving) == ("admitting", 5)


def test_the_draw_waits_for_the_named_rounds_signature_and_takes_no_other(monkeypatch):
    """Issue 40 row 6: the value is checked against the round named before the queue opened
    (on a chain of the test's own: no real round comes after a test's on-sale yet)."""
    from reservations.waiting_room import beacon
    from reservations.waiting_room.organiser import randomness_problem

    from .beacon_rounds import own_chain, signature

    now = timezone.now()  # read once: a second between two reads would put round 1 first
    monkeypatch.setattr(beacon, "QUICKNET", own_chain(now + timedelta(seconds=601)))
    source = "drand quicknet round 1"  # out a second after the on-sale
    event, on_sale, people = _drawn_event(seats=10, buyers=5, now=now, randomness_source=source)
    room = room_tick(event_id=event.id, now=on_sale, redis_down=False)
    assert (room.state, room.reason, room.drawn_at) == ("draw", "randomness", None)
    for chosen in ("f00d", signature(2)):  # the organiser's pick, another round's
        assert randomness_problem(room, chosen)
    assert randomness_problem(room, signature(1)) is None  # what the admin's form asks
    WaitingRoom.objects.filter(event=event).update(public_randomness=signature(1))
    room = room_tick(event_id=event.id, now=on_sale + timedelta(seconds=2), redis_down=False)
    assert room.drawn_at is not None
    proof = proof_json(room)
    assert proof["public_randomness"] == signature(1) and proof_problems(proof) == []
    assert randomness_problem(room, "another") == "The draw is done: its randomness is final."


def test_a_round_out_before_the_on_sale_is_refused_as_a_source():
    with pytest.raises(ValueError, match="before the on-sale"):
        event_with_room(on_sale_in=600, randomness_source="drand quicknet round 1")


@pytest.mark.parametrize("booked", ["reserved", "paying"])
def test_buyers_who_booked_or_went_idle_no_longer_hold_up_the_numbers_behind_them(booked):
    """The ceiling counts shoppers: a buyer who booked (an order paid, or awaiting payment)
    and holds nothing is done, and one who has held nothing IDLE_SHOPPER_SECONDS after
    claiming is taken as gone."""
    from reservations.waiting_room.ticks import IDLE_SHOPPER_SECONDS

    event, on_sale, people = _drawn_event(seats=20, buyers=6, max_active=2)
    room = room_tick(event_id=event.id, now=on_sale, redis_down=False)
    assert room.serving == 2  # the ceiling
    first, second, *_ = _numbered(event, people)
    for buyer in (first, second):
        turn_claim(user_id=buyer.pk, event_id=event.id, now=on_sale)
    seat = Seat.objects.filter(event=event).order_by("id").first()
    Seat.objects.filter(pk=seat.pk).update(status=booked, reserved_by=first)
    room = room_tick(event_id=event.id, now=on_sale + timedelta(seconds=3), redis_down=False)
    assert room.serving == 3  # the first booked and holds nothing: one more is called
    later = on_sale + timedelta(seconds=IDLE_SHOPPER_SECONDS + 60)  # the second never held
    room = room_tick(event_id=event.id, now=later, redis_down=False)
    assert room.serving == 5  # the third's claim window is over too: two more


def test_the_rate_leaves_out_the_first_call_of_the_sale():
    """A waiting buyer's estimate goes by the pace after the opening burst."""
    event, on_sale, people = _drawn_event(seats=20, buyers=14, max_active=10)
    room = room_tick(event_id=event.id, now=on_sale, redis_down=False)
    assert (room.serving, room.rate) == (10, 0)
    first, second, *_ = _numbered(event, people)
    Seat.objects.filter(pk__in=Seat.objects.filter(event=event).order_by("id")[:1]).update(
        status="reserved", reserved_by=first
    )
    for buyer in (first, second):
        turn_claim(user_id=buyer.pk, event_id=event.id, now=on_sale)
    room = room_tick(event_id=event.id, now=on_sale + timedelta(seconds=3), redis_down=False)
    assert room.serving > 10 and room.rate == room.serving - 10


@pytest.mark.parametrize("paid_with", ["", "venue"])
def test_a_booked_hold_is_not_counted_as_one_that_ended_without_a_booking(alice, paid_with):
    """A booked seat remembers the hold it was booked in (one run, one cap: rules.py); the
    share of holds that end booked must not take it for a lapsed one. An order awaiting
    payment is an order, as its seats are booked ones."""
    from reservations.waiting_room.ticks import _measure

    event = event_with_room(seats=4)
    Event.objects.filter(pk=event.pk).update(paid_with=paid_with)
    booked, released, _, _ = event.seats.order_by("id").values_list("id", flat=True)
    turn = turn_token(
        user_id=alice.pk,
        event_id=event.id,
        generation=_room(event).generation,
        expires_at=timezone.now() + timedelta(minutes=10),
    )
    booking_calls.lock_several(
        user=alice, event_id=event.id, seat_ids=[booked, released], turn=turn
    )
    booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[booked])
    booking_calls.unlock(user=alice, event_id=event.id, seat_id=released)

    measured = _measure(_room(event), timezone.now(), slow=False, redis_down=False)
    assert (measured.booked_seats, measured.released_holds, measured.orders) == (1, 1, 1)


def test_the_proof_is_fixed_once_drawn_and_its_late_arrivals_come_in_pages(monkeypatch):
    """Issue 40 row 4: the proof was built from every entrant on every request, with no ETag,
    and grew with every late arrival. Now it is built once after the draw (304 from its tag
    however many come late), and the late arrivals are read a page at a time."""
    from reservations.waiting_room import public_state

    monkeypatch.setattr(public_state, "LATE_PAGE", 2)
    monkeypatch.setattr("reservations.api.queue_views.LATE_PAGE", 2)
    event, on_sale, people = _drawn_event(seats=10, buyers=6)
    room_tick(event_id=event.id, now=on_sale + timedelta(seconds=1), redis_down=False)
    reader, url = bearer_client(people[0]), f"/api/events/{event.id}/queue/proof/"
    first = reader.get(url)
    assert first.status_code == 200
    assert first.json() == proof_json(_room(event))
    tag = first["ETag"]
    late = users(3, prefix="late")
    for i, user in enumerate(late):
        place_join(user_id=user.pk, event_id=event.id, now=on_sale + timedelta(seconds=2 + i))
    again = reader.get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag and not again.content

    pages, path = [], first.json()["late_pages"]
    while path:
        page = reader.get(path)
        assert page.status_code == 200
        pages.append(page)
        path = page.json()["next"]
    assert [p.json()["late"] for p in pages] == [
        [QueueEntry.objects.get(user=u).entry_id for u in late[:2]],
        [QueueEntry.objects.get(user=late[2]).entry_id],
    ]
    first_page = first.json()["late_pages"]  # full: it never changes again
    assert reader.get(first_page, HTTP_IF_NONE_MATCH=pages[0]["ETag"]).status_code == 304
    proof = first.json() | {"late": [i for p in pages for i in p.json()["late"]]}
    assert proof_problems(proof) == []
    bad = reader.get(f"/api/events/{event.id}/queue/proof/late/?after=-1")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_a_room_that_asks_for_proof_of_work_gives_a_place_only_with_it(settings):
    """Issue 40 row 3: the organiser's switch: each new place costs its device a second."""
    from reservations.models import WaitingRoom

    from .test_auth_limits import _solved

    settings.CHALLENGE_WORK = 2000
    event = event_with_room(on_sale_in=600)
    WaitingRoom.objects.filter(event=event).update(challenge=True)
    buyer = users(1, "worker")[0]
    client, url = bearer_client(buyer), f"/api/events/{event.id}/queue/join/"
    asked = client.post(url, {}, format="json")
    assert (asked.status_code, asked.json()["code"]) == (403, "challenge_required")
    assert not QueueEntry.objects.filter(user=buyer).exists()
    joined = client.post(url, {"altcha": _solved(asked.json()["challenge"])}, format="json")
    assert joined.status_code == 200, joined.content
    assert QueueEntry.objects.filter(user=buyer).count() == 1
    assert client.post(url, {}, format="json").status_code == 200  # the same place: no new ask
