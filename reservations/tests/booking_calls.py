"""The booking calls as a test makes them: each through its row of the operation table
(api/operations.py), run as Django's path runs it (`operation_views.run_call`: the turn, the
memory's refusal, the steps, the ledger's context, the broadcast on commit), handing back what a
test inspects (seats, the reservation) rather than the JSON body, which test_fast.py compares
path by path.

A test that books seats to set a scene calls these; the services have no second entry for it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reservations.api.operation_views import run_call
from reservations.api.operations import OPERATIONS, Call
from reservations.models import Reservation, Seat
from reservations.waiting_room.turn_tokens import QUEUE_TURN_HEADER

_ROWS = {operation.name: operation for operation in OPERATIONS}


@dataclass(frozen=True)
class Booked:
    reservation: Reservation
    replayed: bool


def _call(name: str, user, data: dict | None = None, headers: dict | None = None, **ids):
    headers = headers or {}
    call = Call(
        user_id=user.pk,
        ids=ids,
        data={} if data is None else data,
        header=lambda header: headers.get(header, ""),
        account_checked=True,
    )
    return run_call(_ROWS[name], call, user=user)


def lock(*, user, event_id: int, seat_id: int, turn: str | None = None) -> Seat:
    """Hold one seat (`POST .../seats/{id}/lock/`), with the buyer's turn token while the
    event's waiting room is on."""
    headers = {QUEUE_TURN_HEADER: turn} if turn else None
    return _call("SeatLockApi", user, None, headers, event_id=event_id, seat_id=seat_id).seats[0]


def lock_several(
    *, user, event_id: int, seat_ids: Sequence[int], turn: str | None = None
) -> list[Seat]:
    """Hold several seats, all or none (`POST .../lock/`), with a turn token as `lock`."""
    headers = {QUEUE_TURN_HEADER: turn} if turn else None
    body = {"seat_ids": list(seat_ids)}
    return _call("SeatsLockApi", user, body, headers, event_id=event_id).seats


def unlock(*, user, event_id: int, seat_id: int) -> Seat:
    """Let a held seat go (`POST .../seats/{id}/unlock/`)."""
    return _call("SeatUnlockApi", user, event_id=event_id, seat_id=seat_id).seats[0]


def extend(*, user, event_id: int, seat_id: int) -> Seat:
    """More time on a held seat (`POST .../seats/{id}/extend/`)."""
    return _call("SeatExtendApi", user, event_id=event_id, seat_id=seat_id).seats[0]


def reserve(
    *,
    user,
    event_id: int,
    seat_ids: Sequence[int],
    idempotency_key: str | None = None,
    expected_total: Decimal | None = None,
) -> Booked:
    """Book seats the caller holds (`POST .../reserve/`), with the key and total a buyer sends."""
    body: dict = {"seat_ids": list(seat_ids)}
    if expected_total is not None:
        body["total"] = str(expected_total)
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    outcome = _call("ReservationCreateApi", user, body, headers, event_id=event_id)
    return Booked(Reservation.objects.get(pk=outcome.reservation.id), outcome.replayed)


def cancel(*, user, reservation_id: int) -> Reservation:
    """Cancel one of the caller's reservations (`POST /api/reservations/{id}/cancel/`)."""
    _call("ReservationCancelApi", user, reservation_id=reservation_id)
    return Reservation.objects.get(pk=reservation_id)


def scan(*, user, event_id: int, code: str, nonce: str, gate: str = "North"):
    """A ticket let in at a door (`POST /api/door/events/{id}/scans/`) by `user`, who needs
    `scan_tickets`; what the scan let in (tickets/door.py `Scanned`)."""
    body = {"code": code, "gate": gate, "scanned_at": "2026-12-24T19:00:00Z", "nonce": nonce}
    return _call("DoorScanApi", user, body, event_id=event_id)


def settle(*, user, reservation_id: int, data: dict):
    """Settle an order awaiting payment as staff who took the money (`POST
    /api/staff/reservations/{id}/paid/`)."""
    return _call("SettleApi", user, data, reservation_id=reservation_id)
