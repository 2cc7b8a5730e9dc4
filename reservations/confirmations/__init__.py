"""A booking's confirmation e-mail to its buyer (docs/API.md "Confirmation e-mails"): the text
and HTML of templates/reservations/confirmation_email.*, its calendar file attached, sent by
Django's mail (the console in the demo, SMTP by settings).

Nothing on the booking path sends it or waits for it: the mail sender of each server process
(reservations/outbox.py, started by config/asgi.py when CONFIRMATION_EMAILS is on) reads
the bookings that have committed, whichever path booked, queues one e-mail per booking whose
buyer booked with a verified address (sending.py), and sends it, retried on the outbox's
schedule.
"""
