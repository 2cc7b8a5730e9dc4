"""The booking core: the only code that gives buyers seats, and takes them back.

Every call is one transaction (on the fast path, one transaction of its pooled connection), and
takes its locks in the one order ``locking.py`` states and enforces. Where each rule lives:

* when a lock has ended and who holds a seat: ``reservations/rules.py``;
* what one buyer may take of an event (their run of holds, the hold, purchase and network
  limits): ``buyer_policy.py``, in Python over a ``BuyerState`` read once under their row lock;
* the three writes (held, booked, freed): ``sql.HOLD``, ``sql.BOOK``, ``sql.FREE``, each one
  definition from which both its SQL ``SET`` clause (the steps) and its in-memory ``apply``
  (the steps' outcome; the ORM path of the sweep and of blocking) are generated;
* the lock order, and the locking of seat rows: ``locking.py``;
* the booking calls, as step functions that yield SQL (``sql/``) and receive rows, driven by
  ``runner.run`` on Django's connection or ``runner.run_async`` on psycopg's (api/fast.py):
  hold and release in ``holds.py`` (``hold_one_steps``, ``hold_all_steps``,
  ``release_one_steps``, ``extend_one_steps``, and the read ``hold_run_steps``), best
  available in ``best.py``, reserve and cancel in ``bookings.py`` (``reserve_steps``,
  ``cancel_steps``, and ``booking_read_steps`` for a replayed reserve); the seating rules'
  reads (the orphan rule): ``seat_infos.py``.
"""

from .bookings import ReservationChange, ReservationRecord, cancel_steps, reserve_steps
from .holds import HoldOutcome, extend_one_steps, hold_all_steps, hold_one_steps, release_one_steps

__all__ = [
    "HoldOutcome",
    "ReservationChange",
    "ReservationRecord",
    "cancel_steps",
    "extend_one_steps",
    "hold_all_steps",
    "hold_one_steps",
    "release_one_steps",
    "reserve_steps",
]
