"""Admin: events with their seats and a seat map's counts at a glance, reservations.

Seat state is read-only here: holds and bookings change only through the services, so the
admin cannot sell a seat around the row locks (cancel a reservation with the action, which
calls the service). Users follow reservations/users.py: names by its rules, and accounts are
deactivated (releasing their holds), never deleted.
"""

from . import accounts, bookings, events, seats, venues, waiting_rooms

__all__ = ["accounts", "bookings", "events", "seats", "venues", "waiting_rooms"]
