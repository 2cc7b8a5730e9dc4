"""Admin: events with their seats and a seat map's counts at a glance, reservations.

Seat state is read-only here: holds and bookings change only through the services, so the
admin cannot sell a seat around the row locks (cancel a reservation with the action, which
calls the service). Nothing here strands a seat: a confirmed reservation is cancelled, never
deleted; seats are never deleted (blocked instead); an event is deleted only while none of its
seats is held or sold, and each refusal says why. Every action's message counts what it did and
what it left. Each action asks a permission beyond viewing (`permissions` of its
@admin.action): change of its model, or for a cancel the console's change_bookings. Users
follow reservations/users.py: names by its rules, and accounts are deactivated (releasing their
holds), never deleted; only a superuser deactivates a superuser or their own account.
Webhook endpoints and their delivery log: webhooks.py.
"""

from . import accounts, bookings, events, seats, venues, waiting_rooms, webhooks

__all__ = ["accounts", "bookings", "events", "seats", "venues", "waiting_rooms", "webhooks"]
