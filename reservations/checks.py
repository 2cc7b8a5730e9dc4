"""`manage.py check --deploy`'s words for a deployment that cannot send its e-mail: a waiting
room asks buyers for a verified address (and bookings are confirmed by e-mail), so mail that
only reaches the server's console keeps every buyer out of every waiting room."""

from django.conf import settings
from django.core.checks import Warning, register

_NOWHERE = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)


@register("mail", deploy=True)
def mail_reaches_buyers(app_configs, **kwargs):
    needed = settings.WAITING_ROOM_REQUIRES_VERIFIED_EMAIL or settings.CONFIRMATION_EMAILS
    if needed and settings.EMAIL_BACKEND in _NOWHERE:
        return [
            Warning(
                "E-mail goes nowhere a buyer reads it, so no buyer can verify an address and "
                "join a waiting room.",
                hint="Set EMAIL_URL to your SMTP server (smtp://user:password@host:587), or "
                "WAITING_ROOM_REQUIRES_VERIFIED_EMAIL=0.",
                id="seatmap.W001",
            )
        ]
    return []
