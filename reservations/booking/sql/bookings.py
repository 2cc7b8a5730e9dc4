"""The statements of reserve and cancel (bookings.py)."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from ...models import CheckIn, Event, IdempotencyKey, QueueEntry, Reservation, ReservedSeat
from .contract import Rank, Statement
from .seats import SEAT_TABLE

RESERVATION_TABLE = Reservation._meta.db_table
RESERVED_SEAT_TABLE = ReservedSeat._meta.db_table
KEY_TABLE = IdempotencyKey._meta.db_table


def key_claim(*, user_id: int, key: str, fingerprint: str, now: datetime) -> Statement:
    """Claim an Idempotency-Key: the new row's id, or no row when the key is already taken. A
    claim made by a transaction still running is waited for on the unique index."""
    return Statement(
        f'INSERT INTO {KEY_TABLE} (user_id, "key", request_fingerprint, created_at) '
        f"VALUES (%(user_id)s, %(key)s, %(fingerprint)s, %(now)s) "
        f'ON CONFLICT (user_id, "key") DO NOTHING RETURNING id',
        {"user_id": user_id, "key": key, "fingerprint": fingerprint, "now": now},
        lock=Rank.BOOKING,
    )


def key_get(*, user_id: int, key: str) -> Statement:
    return Statement(
        f"SELECT request_fingerprint, reservation_id FROM {KEY_TABLE} "
        f'WHERE user_id = %(user_id)s AND "key" = %(key)s',
        {"user_id": user_id, "key": key},
    )


def key_fill(*, key_id: int, reservation_id: int) -> Statement:
    return Statement(
        f"UPDATE {KEY_TABLE} SET reservation_id = %(reservation_id)s WHERE id = %(key_id)s",
        {"key_id": key_id, "reservation_id": reservation_id},
    )


# The event's name and start as a booking's answer shows them, beside a reservation's own
# columns (the `event_id` of a row of the reservation table), in the same round trip.
_EVENT_BRIEF = (
    f"(SELECT e.name FROM {Event._meta.db_table} e WHERE e.id = event_id), "
    f"(SELECT e.starts_at FROM {Event._meta.db_table} e WHERE e.id = event_id)"
)


def reservation_insert(
    *, user_id: int, event_id: int, total: Decimal, now: datetime, pay_by: datetime | None
) -> Statement:
    """A reservation: confirmed and paid its total, or (`pay_by`) awaiting payment till then,
    nothing taken yet. Its id, its event's name and start."""
    status = Reservation.Status.CONFIRMED if pay_by is None else Reservation.Status.AWAITING_PAYMENT
    return Statement(
        f"INSERT INTO {RESERVATION_TABLE} "
        f"(user_id, event_id, total_price, amount_taken, status, created_at, pay_by) "
        f"VALUES (%(user_id)s, %(event_id)s, %(total)s, %(taken)s, %(status)s, %(now)s, "
        f"%(pay_by)s) RETURNING id, {_EVENT_BRIEF}",
        {
            "user_id": user_id,
            "event_id": event_id,
            "total": total,
            "taken": total if pay_by is None else Decimal("0.00"),
            "status": status.value,
            "now": now,
            "pay_by": pay_by,
        },
    )


def queue_turn_end(*, event_id: int, user_id: int, now: datetime) -> Statement:
    """End the caller's running turn of the event's waiting room, if there is one (API.md
    "Waiting room": a turn ends when its buyer has booked their limit)."""
    return Statement(
        f"UPDATE {QueueEntry._meta.db_table} SET turn_expires_at = %(now)s "
        f"WHERE room_id = %(event_id)s AND user_id = %(user_id)s "
        f"AND claimed_at IS NOT NULL AND turn_expires_at > %(now)s",
        {"event_id": event_id, "user_id": user_id, "now": now},
        lock=Rank.QUEUE_PLACE,
    )


def reserved_seats_insert(
    *, reservation_id: int, prices: Sequence[tuple[int, Decimal]]
) -> Statement:
    """One row per (seat id, price sold at), active."""
    values, params = [], {"reservation_id": reservation_id, "active": True}
    for index, (seat_id, price) in enumerate(prices):
        values.append(f"(%(reservation_id)s, %(seat_{index})s, %(price_{index})s, %(active)s)")
        params[f"seat_{index}"] = seat_id
        params[f"price_{index}"] = price
    return Statement(
        f"INSERT INTO {RESERVED_SEAT_TABLE} (reservation_id, seat_id, price, is_active) "
        f"VALUES {', '.join(values)}",
        params,
    )


def reservation_for_update(*, reservation_id: int, user_id: int) -> Statement:
    """The caller's reservation row, locked (someone else's is no row), with its event's name
    and start (read, not locked)."""
    return Statement(
        f"SELECT event_id, status, total_price, created_at, {_EVENT_BRIEF} "
        f"FROM {RESERVATION_TABLE} WHERE id = %(reservation_id)s AND user_id = %(user_id)s",
        {"reservation_id": reservation_id, "user_id": user_id},
        True,
        lock=Rank.BOOKING,
    )


def reserved_seats_release(*, reservation_id: int) -> Statement:
    """Take a reservation's seats out of it; (seat id, price sold at, ticket id) of each."""
    return Statement(
        f"UPDATE {RESERVED_SEAT_TABLE} SET is_active = %(inactive)s, ended = %(ended)s "
        f"WHERE reservation_id = %(reservation_id)s AND is_active = %(active)s "
        f"RETURNING seat_id, price, id",
        {
            "reservation_id": reservation_id,
            "active": True,
            "inactive": False,
            "ended": ReservedSeat.Ended.CANCELLED.value,
        },
        lock=Rank.BOOKING,
    )


def reservation_let_in(*, reservation_id: int) -> Statement:
    """Whether the door let a holder of this reservation's tickets in, ever (read after the
    tickets' rows were taken: a scan of one at the same instant has committed by then)."""
    return Statement(
        f"SELECT EXISTS (SELECT 1 FROM {CheckIn._meta.db_table} c"
        f" JOIN {RESERVED_SEAT_TABLE} t ON t.id = c.ticket_id"
        f" WHERE t.reservation_id = %(reservation_id)s)",
        {"reservation_id": reservation_id},
    )


def reservation_cancelled(*, reservation_id: int, now: datetime) -> Statement:
    """The buyer's own cancel: they are given back all they paid (money.py)."""
    return Statement(
        f"UPDATE {RESERVATION_TABLE} SET status = '{Reservation.Status.CANCELLED.value}', "
        f"cancelled_at = %(now)s, refunded = amount_taken WHERE id = %(reservation_id)s",
        {"reservation_id": reservation_id, "now": now},
    )


def reservation_read(*, reservation_id: int) -> Statement:
    """A reservation with its event, as its answer shows it (a replayed reserve)."""
    return Statement(
        f"SELECT r.status, r.total_price, r.created_at, r.cancelled_at, r.event_id, e.name, "
        f"e.starts_at, r.pay_by FROM {RESERVATION_TABLE} r JOIN {Event._meta.db_table} e "
        f"ON e.id = r.event_id WHERE r.id = %(reservation_id)s",
        {"reservation_id": reservation_id},
    )


def reserved_seats_read(*, reservation_id: int) -> Statement:
    """(seat id, label, section, row, price sold at) of each seat of a reservation, by seat id."""
    return Statement(
        f"SELECT rs.seat_id, s.label, s.section, s.row, rs.price FROM {RESERVED_SEAT_TABLE} rs "
        f"JOIN {SEAT_TABLE} s ON s.id = rs.seat_id "
        f"WHERE rs.reservation_id = %(reservation_id)s ORDER BY rs.seat_id",
        {"reservation_id": reservation_id},
    )
