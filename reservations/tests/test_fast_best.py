"""Best available and the hot seat on the fast path (reservations/api/fast.py)."""

import asyncio
import json
from collections import Counter

import pytest
from rest_framework.test import APIClient

from reservations import live_seats
from reservations.api import fast as fast_module
from reservations.api.fast import FastPath
from reservations.api.loop_app import LoopApp
from reservations.booking import rooms
from reservations.booking.rooms import room_steps
from reservations.booking.runner import run
from reservations.booking.sql import Statement
from reservations.models import Seat
from reservations.signals import seats_changed

from .factories import UserFactory, event_with_seats, hall
from .fast_calls import (
    JSON,
    MISSING,
    DjangoStandIn,
    bearer,
    call,
    clicks,
    lock_path,
    lowered,
    on_one_loop,
)

pytestmark = pytest.mark.django_db(transaction=True)


BEST_SCRIPT = [
    ("alice", {"count": 3}),  # 200: row A, row B the alternative
    ("alice", {"count": 3, "category": MISSING}),  # not_found: no such category
    ("alice", {}),  # invalid: no count
    ("alice", {"count": 0}),  # invalid
    ("alice", {"count": 2, "accessible": 3}),  # invalid: more wheelchair spaces than seats
    ("alice", {"count": "3"}),  # as DRF takes it: 200, row B
    ("bob", {"count": 3}),  # no_block: one seat is left
    ("bob", {"count": 1, "accessible": 1}),  # no_block: the hall has no wheelchair space
    ("bob", {"count": 1, "section": "Balcony"}),  # no_block, naming the section
    ("bob", b"{not json"),  # invalid
    (None, {"count": 1}),  # not_authenticated
    ("bob", {"count": 1}),  # 200: the last seat, row C
]


def test_best_available_answers_exactly_as_through_django(fast):
    answers = {}
    for side in ("fast", "django"):
        users = {name: UserFactory(username=f"{name}-{side}") for name in ("alice", "bob")}
        event = hall(rows={"A": "...", "B": "...", "C": "."})
        positions = {seat.id: n for n, seat in enumerate(event.seats.order_by("id"))}
        tokens = {name: bearer(user) for name, user in users.items()}
        tokens[None] = b"Bearer not-a-token"
        path = f"/api/events/{event.id}/best/"
        steps = [
            (tokens[who], body if isinstance(body, bytes) else json.dumps(body).encode())
            for who, body in BEST_SCRIPT
        ]
        if side == "fast":

            async def one_by_one(steps=steps, path=path):
                return [
                    await call(
                        fast,
                        path,
                        headers=[(b"authorization", token), (b"content-type", JSON)],
                        body=body,
                    )
                    for token, body in steps
                ]

            raw = on_one_loop(fast, one_by_one)
        else:
            raw = []
            for token, body in steps:
                response = APIClient().generic(
                    "POST",
                    path,
                    body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=token.decode(),
                )
                raw.append((response.status_code, response.json(), dict(response.headers)))
        answers[side] = [_normalised_best(*answer, positions) for answer in raw]

    assert fast.django_app.paths == []  # every call above was answered by the fast path
    assert [status for status, _, _ in answers["fast"]] == [
        200, 404, 400, 400, 400, 200, 409, 409, 409, 400, 401, 200
    ]  # fmt: skip
    first = answers["fast"][0][1]
    assert [seat["id"] for seat in first["seats"]] == [0, 1, 2]  # row A
    assert first["alternatives"] == [[3, 4, 5]]  # row B
    assert [seat["id"] for seat in answers["fast"][-1][1]["seats"]] == [6]
    assert "Balcony" in answers["fast"][8][1]["error"]
    for step, fast_answer, django_answer in zip(
        BEST_SCRIPT, answers["fast"], answers["django"], strict=True
    ):
        assert fast_answer == django_answer, step


def _normalised_best(status, payload, headers, positions):
    payload = json.loads(json.dumps(payload))
    for seat in payload.get("seats", []):
        seat["id"] = positions[seat["id"]]
        seat["locked_until"] = seat["locked_until"] is not None
        seat["category"] = isinstance(seat["category"], int)
    if "alternatives" in payload:
        payload["alternatives"] = [
            [positions[i] for i in block] for block in payload["alternatives"]
        ]
    return status, payload, lowered(headers, "content-length", "x-seatmap-path")


def test_a_stale_room_goes_on_serving_while_a_task_reads_it_again(fast, monkeypatch):
    """Best available does not wait for its room to be read again every ROOM_SECONDS: the ask
    is answered on the room kept, and the room read afresh takes its place when it is ready."""
    alice = UserFactory(username="alice")
    event = hall(rows={"A": "....", "B": "...."})
    run(room_steps(event_id=event.pk))
    kept = rooms._shelves[event.pk]
    kept.read_at -= rooms.ROOM_SECONDS + 1

    token = bearer(alice)
    read_again = []

    def slow_room_steps(*, event_id):
        yield Statement("SELECT pg_sleep(0.5)", {})
        yield from room_steps(event_id=event_id)
        read_again[0].set()

    monkeypatch.setattr(fast_module, "room_steps", slow_room_steps)

    async def scenario():
        read_again.append(asyncio.Event())
        answer = await call(
            fast,
            f"/api/events/{event.pk}/best/",
            headers=[(b"authorization", token), (b"content-type", JSON)],
            body=b'{"count": 4}',
        )
        answered_on = rooms._shelves[event.pk]
        await asyncio.wait_for(read_again[0].wait(), 5)
        return answer, answered_on

    (status, payload, _), answered_on = on_one_loop(fast, scenario)
    assert status == 200 and len(payload["seats"]) == 4
    assert answered_on is kept
    assert not rooms._shelves[event.pk].stale


@pytest.fixture
def memory_of_commits():
    """A process memory of seats as realtime's live map keeps it: told of every commit (the
    `seats_changed` signal), it refuses a click on a seat someone else holds."""
    taken: dict[int, tuple[int | None, str]] = {}

    def remember(sender, event_id, changes, **_):
        for change in changes:
            taken[change.id] = (change.owner, change.status)

    def taken_by_other(event_id, seat_id, user_id):
        owner, status = taken.get(seat_id, (None, "available"))
        return f"#{seat_id}" if status != "available" and owner != user_id else None

    seats_changed.connect(remember)
    live_seats.live_seats_register(taken_by_other, lambda *_: None)
    yield
    seats_changed.disconnect(remember)
    from realtime.hub_live_maps import category_counts, seat_taken_by_other

    live_seats.live_seats_register(seat_taken_by_other, category_counts)


def test_two_hundred_clicks_on_one_seat_at_once_cost_one_transaction(memory_of_commits):
    """Clicks on one seat take turns on the loop (seat_turns.py): the first runs its
    transaction, the others then find the winner's hold in memory and are refused without one.
    Negative control: clicking without the turn, every click ran a transaction (seen: 200)."""
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()
    buyers = UserFactory.create_batch(200)
    transactions = []
    fast_path = FastPath()
    run = fast_path._run

    async def counted(steps, changes):
        transactions.append(steps)
        return await run(steps, changes)

    fast_path._run = counted
    fast = LoopApp(DjangoStandIn(), fast_path.routes())
    answers = clicks(fast, [(lock_path(event, seat), buyer) for buyer in buyers])

    statuses = Counter(status for status, _, _ in answers)
    assert statuses == {200: 1, 409: 199}
    assert {p["code"] for s, p, _ in answers if s == 409} == {"seat_unavailable"}
    assert len(transactions) == 1
    held = Seat.objects.get(pk=seat.pk)
    assert held.status == "locked" and held.held_by_id in {buyer.pk for buyer in buyers}


def test_a_block_held_for_a_buyer_who_went_away_is_told_to_every_map():
    """A server may cancel a request whose client left while its batch is in the database
    (daphne does, 10 s on): the block the batch held is told to the maps all the same, once
    committed, as any hold is. (Told with the answer, it was told to no one: the seats looked
    free until the hold ran out.)"""
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=4)
    run(room_steps(event_id=event.pk))
    told = []

    def remember(sender, event_id, changes, **_):
        told.extend(change.id for change in changes)

    fast_path = FastPath()
    run_steps = fast_path._run
    in_database, go = [], []

    async def waits_in_the_database(steps, changes):
        in_database[0].set()
        await go[0].wait()
        return await run_steps(steps, changes)

    fast_path._run = waits_in_the_database
    fast = LoopApp(DjangoStandIn(), fast_path.routes())

    async def scenario():
        in_database.append(asyncio.Event())
        go.append(asyncio.Event())
        headers = [(b"authorization", bearer(alice)), (b"content-type", JSON)]
        asked = asyncio.ensure_future(
            call(fast, f"/api/events/{event.pk}/best/", headers=headers, body=b'{"count": 2}')
        )
        await asyncio.wait_for(in_database[0].wait(), 5)
        asked.cancel()  # the buyer went away
        go[0].set()
        for _ in range(100):
            if told:
                break
            await asyncio.sleep(0.05)

    seats_changed.connect(remember)
    try:
        on_one_loop(fast, scenario)
    finally:
        seats_changed.disconnect(remember)
    held = sorted(event.seats.filter(status="locked").values_list("id", flat=True))
    assert len(held) == 2
    assert sorted(told) == held
