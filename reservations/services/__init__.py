"""The booking rules: the only code that changes seats.

Locking, written down once:

1. Every service is one ``transaction.atomic()`` (on the fast path, one transaction of its
   pooled connection).
2. Best available's batch first waits for its turn: an advisory lock keyed by the event,
   taken before any row, so another process's batch for the event commits first
   (``sql.best_batch_turn``), for a second at most. Nothing else takes it, so it cannot
   wait in a circle.
   When a service touches the caller's holds (lock, lock several, unlock, reserve) it first
   takes the caller's user row ``FOR UPDATE`` and refuses an account that is no longer active
   (``holds.caller_row_steps``, the one caller check): the hold limit counts seats across rows
   that the request does not lock, and this makes one user's concurrent holds and reserves
   queue behind each other. Cancel takes it too on the fast path, which has no other account
   check (Django's authentication has made it, and staff cancel for deactivated accounts).
3. Then the other rows it decides on: a reserve's ``Idempotency-Key`` (claimed by
   ``INSERT ... ON CONFLICT DO NOTHING``; a second claim of the same key waits for the first's
   transaction on the unique index, then finds it), a cancel's reservation row ``FOR UPDATE``.
4. Then it takes the seat rows ``FOR UPDATE`` ordered by id. Two multi-seat
   requests therefore lock their common seats in the same order and cannot deadlock.
5. Only after the rows are locked does it read the clock and check availability, so the check
   and the write see the same committed state ("check at commit time"). The one-seat lock
   and one-seat unlock first try a single conditional UPDATE whose clock is read just before
   it, written so that it can only refuse more than the rule; a refused click is checked again
   this way. A one-seat lock of a seat that a plain read (no row lock, in the round trip of
   the caller's row lock) shows to be someone else's, by a clock read after that read, is
   refused at once, so that a hot seat's many losers neither queue on its row lock nor write
   it (``holds.hold_one_steps``).
6. Each changed seat's ``version`` grows by one in the same transaction, and the change is
   announced with ``signals.seats_changed_on_commit``: a rolled-back transaction tells nobody
   anything. (The fast path, which commits on its own connection, announces after its commit.)
7. A write of what the seat map's static document shows (a price, a seat's category, a block)
   bumps the event's ``map_version`` last, in its transaction (``map_version.py``); no other
   write locks the event row.

Where each rule lives:

* when a lock has ended and who holds a seat: ``reservations/rules.py``;
* the three writes (held, booked, freed): ``sql.HOLD``, ``sql.BOOK``, ``sql.FREE``, each one
  definition from which both its SQL ``SET`` clause (the steps) and its in-memory ``apply``
  (the steps' outcome; the ORM path of the sweep and of blocking) are generated;
* the booking calls, as step functions that yield SQL (``sql.py``) and receive rows, driven by
  ``runner.run`` on Django's connection or ``runner.run_async`` on psycopg's (api/fast.py):
  hold and release in ``holds.py`` (``hold_one_steps``, ``hold_all_steps``,
  ``release_one_steps``, ``extend_one_steps``), reserve and cancel in ``bookings.py``
  (``reserve_steps``, ``cancel_steps``, and ``booking_read_steps`` for a replayed reserve);
* the sweep and the key purge: ``expiry.py``; seat layout of a new event: ``layout.py``.
"""

from ..rules import seat_is_free, seat_is_held_by
from .bookings import (
    Booking,
    BookingOutcome,
    ReservationOutcome,
    cancel_steps,
    reservation_cancel,
    reservation_create,
    reserve_steps,
)
from .expiry import idempotency_keys_purge, locks_expire, refresh_families_purge, sweep_forever
from .holds import (
    HoldOutcome,
    extend_one_steps,
    hold_all_steps,
    hold_one_steps,
    release_one_steps,
    seat_extend,
    seat_lock,
    seat_unlock,
    seats_lock,
)
from .layout import event_create_with_seats, row_name, seat_grid

__all__ = [
    "Booking",
    "BookingOutcome",
    "HoldOutcome",
    "ReservationOutcome",
    "cancel_steps",
    "event_create_with_seats",
    "extend_one_steps",
    "hold_all_steps",
    "hold_one_steps",
    "idempotency_keys_purge",
    "locks_expire",
    "refresh_families_purge",
    "release_one_steps",
    "reservation_cancel",
    "reservation_create",
    "reserve_steps",
    "row_name",
    "seat_grid",
    "seat_is_free",
    "seat_extend",
    "seat_is_held_by",
    "seat_lock",
    "seat_unlock",
    "seats_lock",
    "sweep_forever",
]
