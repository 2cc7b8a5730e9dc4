"""The statements of a settle (settling.py `settle_steps`), in the booking steps' form
(booking/sql/contract.py): the order's row lock (with staff's roles), its payment with its live
seats as sold, then the payment's row and the order's money, written with its seats
(sql.Together)."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from ..booking.sql import RESERVATION_TABLE, RESERVED_SEAT_TABLE, SEAT_TABLE, Rank, Statement
from ..models import Event, Reservation
from .models import Payment

PAYMENT_TABLE = Payment._meta.db_table

# The order's own columns, then its event's and its account's that the console's answer shows
# (console_presenters.booking_json).
ORDER_FIELDS = (
    "id",
    "user_id",
    "event_id",
    "status",
    "channel",
    "buyer_name",
    "buyer_email",
    "payment",
    "total_price",
    "amount_taken",
    "refunded",
    "created_at",
    "cancelled_at",
    "pay_by",
)


def order_for_update(*, reservation_id: int, may: tuple[str, dict] | None = None) -> Statement:
    """The order's row, locked (rank BOOKING), with its event's name and currency and its
    buyer's username and e-mail (read, not locked); first, given staff's `may` columns
    (roles.may_columns), their yes or no to each codename."""
    may_sql, may_params = may or ("", {})
    return Statement(
        f"SELECT {may_sql}{', ' if may_sql else ''}"
        f"{', '.join(f'r.{name}' for name in ORDER_FIELDS)}, e.name, e.currency, "
        f"u.username, u.email "
        f"FROM {RESERVATION_TABLE} r JOIN {Event._meta.db_table} e ON e.id = r.event_id "
        f"LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = r.user_id "
        f"WHERE r.id = %(reservation_id)s",
        {**may_params, "reservation_id": reservation_id},
        True,
        lock_of="r",
        lock=Rank.BOOKING,
    )


def payment_and_live_seats(*, reservation_id: int, reference: str) -> Statement:
    """(payment id, its state, seat id, label, section, row, price sold at): the order's
    payment named `reference` if there is one, beside each seat the order still has, by seat
    id; one row of NULL seat columns when it has none. Read under the order's row lock (only a
    cancel changes its seats, under the same lock), in a statement of its own after it: its
    snapshot sees what the lock waited for."""
    return Statement(
        f"SELECT p.id, p.state, rs.seat_id, s.label, s.section, s.row, rs.price "
        f"FROM (SELECT 1 AS one) o "
        f"LEFT JOIN (SELECT id, state FROM {PAYMENT_TABLE} "
        f"WHERE reservation_id = %(reservation_id)s AND kind = %(kind)s "
        f"AND reference = %(reference)s ORDER BY id LIMIT 1) p ON 1 = 1 "
        f"LEFT JOIN {RESERVED_SEAT_TABLE} rs ON rs.reservation_id = %(reservation_id)s "
        f"AND rs.is_active = %(active)s "
        f"LEFT JOIN {SEAT_TABLE} s ON s.id = rs.seat_id ORDER BY rs.seat_id",
        {
            "reservation_id": reservation_id,
            "reference": reference,
            "kind": Payment.Kind.PAYMENT.value,
            "active": True,
        },
    )


def payment_settled(
    *,
    payment_id: int | None,
    reservation_id: int,
    provider: str,
    reference: str,
    amount: Decimal,
    settled_reference: str,
    late: bool,
    actor_id: int | None,
    now: datetime,
) -> Statement:
    """The payment paid: its attempt's row (`payment_id`), or a new one."""
    values = {
        "state": Payment.State.PAID.value,
        "amount": amount,
        "settled_reference": settled_reference,
        "late": late,
        "actor_id": actor_id,
        "now": now,
    }
    if payment_id is not None:
        return Statement(
            f"UPDATE {PAYMENT_TABLE} SET state = %(state)s, amount = %(amount)s, "
            f"settled_reference = %(settled_reference)s, late = %(late)s, "
            f"actor_id = %(actor_id)s, settled_at = %(now)s WHERE id = %(payment_id)s",
            {**values, "payment_id": payment_id},
        )
    return Statement(
        f"INSERT INTO {PAYMENT_TABLE} (reservation_id, provider, kind, state, reference, "
        f"settled_reference, url, amount, late, actor_id, created_at, settled_at) VALUES "
        f"(%(reservation_id)s, %(provider)s, %(kind)s, %(state)s, %(reference)s, "
        f"%(settled_reference)s, '', %(amount)s, %(late)s, %(actor_id)s, %(now)s, %(now)s)",
        {
            **values,
            "reservation_id": reservation_id,
            "provider": provider,
            "kind": Payment.Kind.PAYMENT.value,
            "reference": reference,
        },
    )


def order_money(*, order: Reservation) -> Statement:
    """The order's status and money as `order` has them now (its row is locked)."""
    return Statement(
        f"UPDATE {RESERVATION_TABLE} SET status = %(status)s, amount_taken = %(taken)s, "
        f"refunded = %(refunded)s WHERE id = %(reservation_id)s",
        {
            "status": order.status,
            "taken": order.amount_taken,
            "refunded": order.refunded,
            "reservation_id": order.pk,
        },
    )
