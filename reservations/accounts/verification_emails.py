"""Send the verification e-mails (email_verification.py makes their links) through the mail
outbox (reservations/outbox.py: claimed, sent and tried again as every e-mail is).

A link is asked for by setting the account's `verification_due_at` in the transaction that
registered or changed the address, so only committed requests are sent; one given up after the
outbox's last wait can be asked for again. The link is made when it is sent, for the address
the account has then.
"""

from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from reservations.outbox import MailKind, send_due

from .email_verification import verification_token
from .models import Account


def verification_link(user) -> str:
    """The SPA's page that posts the token (frontend: /verify-email)."""
    query = urlencode({"token": verification_token(user)})
    return f"{settings.PUBLIC_URL.rstrip('/')}/verify-email?{query}"


def verification_message(user) -> EmailMultiAlternatives:
    context = {
        "username": user.username,
        "link": verification_link(user),
        "hours": settings.EMAIL_VERIFICATION_MAX_AGE // 3600,
    }
    message = EmailMultiAlternatives(
        subject="Confirm your e-mail address",
        body=render_to_string("reservations/verification_email.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("reservations/verification_email.html", context), "text/html"
    )
    return message


def _verification_due(user_id: int) -> EmailMultiAlternatives | None:
    """The account's link; None when it has no address now, or is closed."""
    user = Account.objects.select_related("user").get(pk=user_id).user
    return verification_message(user) if user.email and user.is_active else None


VERIFICATIONS = MailKind(
    "verification e-mail of user",
    Account,
    due="verification_due_at",
    attempts="verification_attempts",
    message=_verification_due,
)


def verifications_send_due(*, now: datetime | None = None) -> int:
    """One round: send what is due; how many were sent."""
    return send_due(VERIFICATIONS, now=now)
