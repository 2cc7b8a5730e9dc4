"""The statements of best available (best.py)."""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model

from ...accounts.email_verification import must_verify_sql
from ...models import Event, PriceCategory, VenueLayout
from ...rules import FREE_SQL, not_passed_sql
from ..buyer_policy import HoldTimes
from .contract import ROW_LOCK, Rank, Statement, Table
from .seats import HOLD, SEAT_FIELDS, SEAT_INFO_FIELDS, SEAT_TABLE, Status

_CATEGORY_TABLE = PriceCategory._meta.db_table
_LAYOUT_TABLE = VenueLayout._meta.db_table


def best_batch_turn(*, event_id: int, patience_ms: int) -> Statement:
    """Wait for the event's best-available batch of any other process to commit, then keep
    the others waiting until this transaction ends (a transaction-level advisory lock); but
    wait `patience_ms` at most (migration 0007). One row: whether it is this batch's turn."""
    return Statement(
        "SELECT best_batch_turn(hashtextextended(%(name)s, 0), %(patience_ms)s)",
        {"name": f"best available: event {event_id}", "patience_ms": patience_ms},
        postgres_only=True,
        lock=Rank.BEST_BATCH_TURN,
    )


def event_for_best(*, event_id: int, categories: Sequence[int]) -> Statement:
    """(orphan mode, purchase limit, whether it limits holds per network, start, category id,
    category name): the event's rules (rules.py), with each of `categories` that is a price
    category of the event (one row with NULLs for none); no row for an unknown event."""
    return Statement(
        f"SELECT e.orphan_mode, COALESCE(e.purchase_limit, %(purchase_default)s), "
        f"e.holds_limited_per_network, e.starts_at, c.id, c.name "
        f"FROM {Event._meta.db_table} e "
        f"LEFT JOIN {_CATEGORY_TABLE} c ON c.event_id = e.id AND c.id IN (%(categories)s) "
        f"WHERE e.id = %(event_id)s",
        {"event_id": event_id, "categories": Table(("bigint",), [(c,) for c in categories])}
        | {"purchase_default": settings.SEAT_PURCHASE_LIMIT},
    )


def users_for_update(*, user_ids: Sequence[int], event_id: int) -> Statement:
    """(id, is_active, e-mail, whether the event asks for a verified e-mail the user has not)
    of these users, their rows locked in id order (locking rule 2 for a batch of callers: one
    order, so two batches never wait on each other in a circle)."""
    table = get_user_model()._meta.db_table
    return Statement(
        f"SELECT u.id, u.is_active, u.email, {must_verify_sql('u')} "
        f"FROM {table} u WHERE u.id IN (%(user_ids)s) ORDER BY u.id",
        {
            "user_ids": Table(("bigint",), [(user_id,) for user_id in user_ids]),
            "event_id": event_id,
        },
        True,
        lock_of="u",
        lock=Rank.CALLER,
    )


def event_seat_infos(*, event_id: int) -> Statement:
    """Every seat of the event as the seating rules read it (SEAT_INFO_FIELDS), in id order."""
    return Statement(
        f"SELECT {', '.join(SEAT_INFO_FIELDS)} FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"ORDER BY id",
        {"event_id": event_id},
    )


def layout_shapes(*, event_id: int) -> Statement:
    """The drawing of the event's venue layout (no row for an event without one)."""
    return Statement(
        f"SELECT l.shapes FROM {_LAYOUT_TABLE} l JOIN {Event._meta.db_table} e "
        f"ON e.layout_id = l.id WHERE e.id = %(event_id)s",
        {"event_id": event_id},
    )


def taken_seats(*, event_id: int, now: datetime) -> Statement:
    """(id, holder, booker, network) of each of the event's seats that is not free at `now`
    (rules.FREE_SQL), `holder` the user of a live hold and `network` where it was taken from,
    `booker` the user who booked it (NULL for a seat that is not theirs, as a blocked seat is
    nobody's): the room as best available sees it, and every caller's holds and booked seats
    and their networks' holds for their limits, in one read. The first
    condition says nothing the second does not, but lets the partial index `seat_taken` serve
    the read: an on-sale reads only the seats gone so far, not the whole room."""
    return Statement(
        f"SELECT id, CASE WHEN status = '{Status.LOCKED.value}' THEN held_by_id END, "
        f"reserved_by_id, CASE WHEN status = '{Status.LOCKED.value}' THEN held_from END "
        f"FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"AND status <> '{Status.AVAILABLE.value}' AND NOT {FREE_SQL}",
        {"event_id": event_id, "now": now},
    )


# A block's hold: its buyer's, from their network, with the times the policy gave it.
_HOLD_BLOCK_SET = HOLD.update_sql(
    held_by_id="wanted.holder",
    held_from="wanted.address",
    held_since="wanted.since",
    held_until="wanted.until",
)


def hold_blocks(
    *,
    event_id: int,
    blocks: Sequence[tuple[int, str | None, Sequence[int], HoldTimes]],
    now: datetime,
    cooled: datetime,
) -> Statement:
    """Hold each (user id, network, seat ids, times) block for its user, each all or none, in
    one statement: the seats free at `now` (rules.FREE_SQL) that no other transaction has
    locked are locked in id order, skipping the others, and a block is written only if that is
    all of its seats and none would pass between accounts of the user's network (rules.py).
    The rows of a block found gone that it did lock stay locked until the transaction ends
    (other buyers skip them meanwhile). Its clock is read before the rows are locked, so it can
    only refuse more than the rule, never hold a seat that is not free. Rows: the seats held
    (SEAT_COLUMNS)."""
    wanted = Table(
        ("bigint", "integer", "bigint", "text", "timestamptz", "timestamptz"),
        [
            (seat_id, block, user_id, address, times.since, times.until)
            for block, (user_id, address, seat_ids, times) in enumerate(blocks)
            for seat_id in seat_ids
        ],
    )
    seat_ids = Table(("bigint",), [(seat_id,) for seat_id, *_ in wanted.rows])
    passed_columns = "released_from, released_by_id, released_at, status, held_from, held_by_id"
    return Statement(
        f"WITH wanted (seat_id, block, holder, address, since, until) AS (%(wanted)s), "
        f"free AS MATERIALIZED (SELECT id, {passed_columns}, held_until "
        f"FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"AND id IN (%(seat_ids)s) AND {FREE_SQL} ORDER BY id{ROW_LOCK}), "
        f"whole AS (SELECT w.block FROM wanted w LEFT JOIN free f ON f.id = w.seat_id "
        f"AND {not_passed_sql('w.holder', 'w.address', row='f.')} "
        f"GROUP BY w.block HAVING count(f.id) = count(*)) "
        f"{_HOLD_BLOCK_SET} FROM wanted "
        f"WHERE id IN (%(seat_ids)s) AND id = wanted.seat_id "
        f"AND wanted.block IN (SELECT block FROM whole) "
        f"RETURNING {', '.join(f'{SEAT_TABLE}.{name}' for name in SEAT_FIELDS)}",
        {
            "event_id": event_id,
            "wanted": wanted,
            "seat_ids": seat_ids,
            "now": now,
            "cooled": cooled,
        },
        lock_rows=True,
        skip_locked=True,
        lock=Rank.SEATS,
    )
