"""The e-mails a server sends (reservations/outbox.py): where they go, and which kinds are
sent. settings.py takes them all."""

import environ

_env = environ.Env()  # underscored: `import *` must not replace settings.py's own

# Booking confirmations by e-mail (API.md "Confirmation e-mails"): a thread of each process sends
# them when CONFIRMATION_EMAILS is on, through EMAIL_URL (smtp://user:pw@host:25, consolemail://).
vars().update(_env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", default="Seat map <tickets@localhost>")
CONFIRMATION_EMAILS = _env.bool("CONFIRMATION_EMAILS", default=False)
# E-mail verification (API.md "E-mail verification", reservations/accounts/): a thread of each
# process sends the links, to PUBLIC_URL's /verify-email page, good this many seconds; joining a
# waiting room asks for a verified address while WAITING_ROOM_REQUIRES_VERIFIED_EMAIL is on.
PUBLIC_URL = _env("PUBLIC_URL", default="http://127.0.0.1:8000")
VERIFICATION_EMAILS = _env.bool("VERIFICATION_EMAILS", default=True)
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
WAITING_ROOM_REQUIRES_VERIFIED_EMAIL = _env.bool(
    "WAITING_ROOM_REQUIRES_VERIFIED_EMAIL", default=True
)
