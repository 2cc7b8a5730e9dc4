"""What staff and the server's own jobs do to seats and events, on the booking core
(reservations/booking/) and its lock order.

* the sweep and the key purge: ``expiry.py``; the seats of an event sold as a grid (no venue
  layout): ``grid.py``; deleting an event, only while none of its seats is held or sold:
  ``event_deletion.py``; blocking seats, the box office, staff's changes of a booking,
  categories and venues: a module each.
"""

from .expiry import idempotency_keys_purge, locks_expire, refresh_families_purge, sweep_forever
from .grid import event_create_with_seats, row_name

__all__ = [
    "event_create_with_seats",
    "idempotency_keys_purge",
    "locks_expire",
    "refresh_families_purge",
    "row_name",
    "sweep_forever",
]
