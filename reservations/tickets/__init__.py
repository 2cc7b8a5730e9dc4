"""Tickets at the door (docs/API.md "Tickets"): a signed code per booked seat (codes.py), the
event's keys (models.py), and the check-in a door scan makes (door.py)."""
