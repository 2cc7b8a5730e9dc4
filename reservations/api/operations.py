"""The booking calls, one row each: the table both of their paths are built from.

A booking call is answered by Django (a DRF view, `operation_views.py`) or, with a bearer
token, on the server's loop (`fast.py`). Each row says once what both need: the route, the
body's checks, the booking steps it runs, how its answer is shaped and with which status and
headers. A new call is one row here; neither path can answer it differently from the other
(`tests/test_fast.py` compares them answer by answer).
"""

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from reservations import booking, path_ids  # noqa: F401  (path_ids: the routes' `id`)
from reservations.booking.best import Ask
from reservations.ledger.context import seat_changes
from reservations.ledger.models import Via
from reservations.live_seats import refusal
from reservations.metrics import operation_label
from reservations.payments.settling import settled_by_staff_steps
from reservations.tickets.door import Scan, scan_steps
from reservations.waiting_room.turn_tokens import QUEUE_TURN_HEADER

from . import presenters
from .console_presenters import BookingOutput, booking_json
from .console_views import SettleInput
from .door_views import ScanInput, ScanOutput, ticket_json
from .inputs import (
    BestInput,
    ReserveInput,
    SeatActionInput,
    SeatIdsInput,
    best_request_of,
    idempotency_key_of,
    reserve_input_of,
    seat_ids_of,
    validated,
)
from .presenters import ReservationOutput, SeatOutput


@dataclass(frozen=True)
class Call:
    """One booking call as both paths hand it to its row: who asks, on which ids, with what."""

    user_id: int
    ids: Mapping[str, int]  # the route's ids by name: event_id, seat_id, reservation_id
    data: Any  # the parsed JSON body, as DRF's `request.data`
    header: Callable[[str], str]  # a request header by name, "" when it did not come
    # Whether the caller's account was checked already: Django's authentication reads the user
    # row; the fast path has the booking steps check it under their row lock.
    account_checked: bool
    # The client network holds are taken from (client_address.holds_key; None: exempt).
    address: str | None = None


@dataclass(frozen=True)
class Operation:
    name: str  # the DRF view's class name
    route: str  # under /api/, in Django's path syntax
    input: type[serializers.Serializer]  # the body, for the schema (`work` checks it)
    output: Any  # the answer's body, for the schema
    # The call's booking steps (reservations/booking), or best available's ask of a batch (best.py).
    work: Callable[[Call], Any]
    present: Callable[[Any, int], dict]  # (outcome, caller's id) -> the answer's body
    status: int = 200
    replay_header: bool = False  # `Idempotent-Replayed: true` on a replayed outcome
    # A lock of one seat: refused from the process's memory when it shows the seat someone
    # else's (live_seats.py), and clicks on one seat take turns on the loop (seat_turns.py).
    hot_seat: bool = False
    on_loop: bool = True  # answered by the fast path too
    # Takes seats (lock, lock several, best available): needs the buyer's turn while the event's
    # waiting room is on (`Queue-Turn`), and its answers tell the waiting room how the booking
    # path fares (waiting_room/path_health.py).
    takes_seats: bool = False
    # Counted in the booking limits (booking_limits.py): every buyer's call; not a door's scan,
    # whose pace is the queue at the gate, by staff.
    throttled: bool = True
    # Through what the ledger says its seats changed: a buyer's own call, or staff's (by them).
    via: Via = Via.ONLINE
    parameters: tuple[OpenApiParameter, ...] = ()
    description: str = ""  # for the schema

    def seat_changes(self, call: Call) -> AbstractContextManager:
        return seat_changes(self.via, actor_id=None if self.via == Via.ONLINE else call.user_id)

    @property
    def label(self) -> str:
        """The call's name in the metrics (reservations/metrics.py): seat_lock ..."""
        return operation_label(self.name)

    def headers(self, outcome) -> dict[str, str]:
        if self.replay_header and outcome.replayed:
            return {"Idempotent-Replayed": "true"}
        return {}


class Edge(Protocol):
    """What a path does at each step of `guarded`: Django's in a worker thread (whose steps
    never wait: `guarded_now`), the fast path's on the server's loop."""

    async def turn_required(self, *, event_id: int, user_id: int, token: str | None) -> None: ...

    async def best(self, event_id: int, ask: Ask) -> Any: ...

    def seat_turn(self, seat: tuple[int, ...]) -> AbstractAsyncContextManager: ...

    async def run(self, work, changes: AbstractContextManager) -> Any: ...


async def guarded(operation: Operation, call: Call, edge: Edge):
    """A booking call's one guard sequence, whichever path answers it: the buyer's turn of the
    event's waiting room (a call that takes seats: `Queue-Turn`), the body's checks (the row's
    `work`), then best available's ask, or the steps: a hot seat's in its turn of the clicks on
    it (seat_turns.py: the loop's; Django's threads take none) and refused from the process's
    memory when it shows the seat someone else's (live_seats.py), before any connection is
    taken. The edge's `run` and `best` announce the changes once committed."""
    ids = call.ids
    if operation.takes_seats:
        token = call.header(QUEUE_TURN_HEADER) or None
        await edge.turn_required(event_id=ids["event_id"], user_id=call.user_id, token=token)
    work = operation.work(call)
    if isinstance(work, Ask):
        return await edge.best(ids["event_id"], work)
    if not operation.hot_seat:
        return await edge.run(work, operation.seat_changes(call))
    async with edge.seat_turn(tuple(ids.values())):
        if refused := refusal(user_id=call.user_id, **ids):
            raise refused
        return await edge.run(work, operation.seat_changes(call))


def guarded_now(operation: Operation, call: Call, edge: Edge):
    """`guarded` on an edge whose every step is plain work that never waits (Django's): run to
    its end at once, with no event loop."""
    sequence = guarded(operation, call, edge)
    try:
        sequence.send(None)
    except StopIteration as finished:
        return finished.value
    sequence.close()
    raise RuntimeError("A step of the edge waited; guarded_now runs only edges that never wait.")


def announced_event(call: Call, outcome) -> int:
    """Whose watchers hear of the outcome: the event of the route, or of the reservation."""
    if "event_id" in call.ids:
        return call.ids["event_id"]
    return outcome.event_id


def _no_fields(data) -> None:
    """Lock, unlock, extend and cancel take no fields, but their body must still be a JSON
    object (SeatActionInput)."""
    if data != {}:
        SeatActionInput(data=data).is_valid(raise_exception=True)


def _one_seat(steps, action: str, *, from_address: bool = False):
    def work(call: Call):
        _no_fields(call.data)
        if from_address:  # a hold: the rules of holds per address (rules.py)
            return steps(user_id=call.user_id, address=call.address, **call.ids)
        return steps(user_id=call.user_id, **call.ids)

    def present(outcome, user_id: int) -> dict:
        return presenters.seat_action_json(action, outcome.seats[0], user_id=user_id)

    return work, present


def _seat_action_output(message: str):
    return inline_serializer(
        name=f"SeatAction{message}",
        fields={
            "success": serializers.BooleanField(),
            "message": serializers.CharField(),
            "seat": SeatOutput(),
        },
    )


_SEAT_ROUTE = "events/<id:event_id>/seats/<id:seat_id>"


def _lock_several(call: Call):
    return booking.hold_all_steps(
        user_id=call.user_id,
        event_id=call.ids["event_id"],
        seat_ids=seat_ids_of(call.data),
        address=call.address,
    )


def _best(call: Call) -> Ask:
    return Ask(user_id=call.user_id, wish=best_request_of(call.data), address=call.address)


def _reserve(call: Call):
    seat_ids, total = reserve_input_of(call.data)
    return booking.reserve_steps(
        user_id=call.user_id,
        event_id=call.ids["event_id"],
        seat_ids=seat_ids,
        idempotency_key=idempotency_key_of(call.header("Idempotency-Key")),
        expected_total=total,
    )


def _cancel(call: Call):
    _no_fields(call.data)
    return booking.cancel_steps(
        user_id=call.user_id,
        reservation_id=call.ids["reservation_id"],
        account_checked=call.account_checked,
    )


def _settle(call: Call):
    data = validated(SettleInput, call.data)
    return settled_by_staff_steps(
        staff_id=call.user_id,
        reservation_id=call.ids["reservation_id"],
        amount=data["amount"],
        settled_reference=data["reference"],
    )


def _scan(call: Call):
    scan = Scan(**validated(ScanInput, call.data))
    return scan_steps(user_id=call.user_id, event_id=call.ids["event_id"], scan=scan)


BOOKING_OPERATIONS = (
    Operation(
        "SeatLockApi",
        f"{_SEAT_ROUTE}/lock/",
        SeatActionInput,
        _seat_action_output("Lock"),
        *_one_seat(booking.hold_one_steps, "lock", from_address=True),
        hot_seat=True,
        takes_seats=True,
    ),
    Operation(
        "SeatExtendApi",
        f"{_SEAT_ROUTE}/extend/",
        SeatActionInput,
        _seat_action_output("Extend"),
        *_one_seat(booking.extend_one_steps, "extend"),
        # Django's path only: its steps leave the account check to Django's authentication.
        on_loop=False,
    ),
    Operation(
        "SeatUnlockApi",
        f"{_SEAT_ROUTE}/unlock/",
        SeatActionInput,
        _seat_action_output("Unlock"),
        *_one_seat(booking.release_one_steps, "unlock"),
    ),
    Operation(
        "SeatsLockApi",
        "events/<id:event_id>/lock/",
        SeatIdsInput,
        inline_serializer(
            "SeatsLock", {"success": serializers.BooleanField(), "seats": SeatOutput(many=True)}
        ),
        _lock_several,
        lambda outcome, user_id: presenters.seats_lock_json(outcome.seats, user_id=user_id),
        takes_seats=True,
    ),
    Operation(
        "BestAvailableApi",
        "events/<id:event_id>/best/",
        BestInput,
        inline_serializer(
            "BestAvailable",
            {
                "success": serializers.BooleanField(),
                "seats": SeatOutput(many=True),
                "together": serializers.BooleanField(),
                "alternatives": serializers.ListField(
                    child=serializers.ListField(child=serializers.IntegerField())
                ),
            },
        ),
        _best,
        lambda outcome, user_id: presenters.best_json(outcome, user_id=user_id),
        description="Hold the best block for the caller (docs/BEST_AVAILABLE.md).",
        takes_seats=True,
    ),
    Operation(
        "ReservationCreateApi",
        "events/<id:event_id>/reserve/",
        ReserveInput,
        inline_serializer(
            "ReservationCreated",
            {"success": serializers.BooleanField(), "reservation": ReservationOutput()},
        ),
        _reserve,
        lambda outcome, user_id: presenters.reserve_json(outcome.reservation),
        status=201,
        replay_header=True,
        parameters=(OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER),),
    ),
    Operation(
        "ReservationCancelApi",
        "reservations/<id:reservation_id>/cancel/",
        SeatActionInput,
        inline_serializer(
            "ReservationCancelled",
            {
                "success": serializers.BooleanField(),
                "message": serializers.CharField(),
                "reservation": ReservationOutput(),
            },
        ),
        _cancel,
        lambda outcome, user_id: presenters.cancel_json(outcome.reservation),
    ),
)

# A ticket scanned at a door (API.md "Tickets"): at a venue's opening, hundreds a second.
DOOR_SCAN = Operation(
    "DoorScanApi",
    "door/events/<id:event_id>/scans/",
    ScanInput,
    ScanOutput,
    _scan,
    lambda outcome, user_id: {"result": "ok", **ticket_json(outcome.ticket)},
    throttled=False,
)

# An order paid at the venue or by invoice, settled by staff who took the money (API.md
# "Paying"): at a pay window's end, the box office's queue of buyers paying at the desk.
STAFF_SETTLE = Operation(
    "SettleApi",
    "staff/reservations/<id:reservation_id>/paid/",
    SettleInput,
    BookingOutput,
    _settle,
    lambda outcome, user_id: booking_json(outcome.order, seats=outcome.seats),
    throttled=False,
    via=Via.VENUE,
    description="An order paid at the venue or by invoice, settled by staff who took the money.",
)

OPERATIONS = (*BOOKING_OPERATIONS, DOOR_SCAN, STAFF_SETTLE)
