"""Signed webhooks (docs/LEDGER.md "Webhooks"): an organiser's endpoints, the outbox, and the
worker that sends it (`manage.py deliver_webhooks`).

The database writes the outbox, not the code paths: a trigger on the reservation table
(migration 0018) writes a `reservation.confirmed` or `reservation.cancelled` message, and a
delivery for each endpoint that asked for it, in the booking's own transaction, whichever path
booked (Django's, the loop's fast path, the admin, raw SQL). `seats.changed` is read by the
worker from the seat ledger itself (seat_changes.py), so a hold writes nothing more. The worker
(worker.py) signs each delivery as Standard Webhooks says (sending.py) and retries it with
backoff for a day.
"""
