"""The booking rules: the only code that changes seats.

Every service is one ``transaction.atomic()`` (on the fast path, one transaction of its pooled
connection), and takes its locks in the one order ``locking.py`` states and enforces.

Where each rule lives:

* when a lock has ended and who holds a seat: ``reservations/rules.py``;
* the three writes (held, booked, freed): ``sql.HOLD``, ``sql.BOOK``, ``sql.FREE``, each one
  definition from which both its SQL ``SET`` clause (the steps) and its in-memory ``apply``
  (the steps' outcome; the ORM path of the sweep and of blocking) are generated;
* the lock order, and the locking of seat rows: ``locking.py``;
* the booking calls, as step functions that yield SQL (``sql/``) and receive rows, driven by
  ``runner.run`` on Django's connection or ``runner.run_async`` on psycopg's (api/fast.py):
  hold and release in ``holds.py`` (``hold_one_steps``, ``hold_all_steps``,
  ``release_one_steps``, ``extend_one_steps``, and the read ``hold_run_steps``: where a buyer's
  run of holds stands), reserve and cancel in ``bookings.py``
  (``reserve_steps``, ``cancel_steps``, and ``booking_read_steps`` for a replayed reserve);
* the sweep and the key purge: ``expiry.py``; the seats of an event sold as a grid (no venue
  layout): ``grid.py``; deleting an event, only while none of its seats is held or sold:
  ``event_deletion.py``.
"""

from ..rules import seat_is_free, seat_is_held_by
from .bookings import (
    ReservationChange,
    ReservationRecord,
    cancel_steps,
    reserve_steps,
)
from .expiry import idempotency_keys_purge, locks_expire, refresh_families_purge, sweep_forever
from .grid import event_create_with_seats, row_name, seat_grid
from .holds import (
    HoldOutcome,
    extend_one_steps,
    hold_all_steps,
    hold_one_steps,
    release_one_steps,
)

__all__ = [
    "ReservationRecord",
    "ReservationChange",
    "HoldOutcome",
    "cancel_steps",
    "event_create_with_seats",
    "extend_one_steps",
    "hold_all_steps",
    "hold_one_steps",
    "idempotency_keys_purge",
    "locks_expire",
    "refresh_families_purge",
    "release_one_steps",
    "reserve_steps",
    "row_name",
    "seat_grid",
    "seat_is_free",
    "seat_is_held_by",
    "sweep_forever",
]
