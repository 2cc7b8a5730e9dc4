"""Queue a buyer's notice (models.BuyerNotice) in the transaction of the change it tells, so a
change rolled back tells nothing; sending.py sends it, as it sends the confirmations. Only while
the e-mails are on (CONFIRMATION_EMAILS), and only to an address the buyer may be written to: a
box-office sale's typed `buyer_email`, or an online buyer's verified address, the
confirmations' rule (sending.py)."""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from reservations.accounts.models import Account

from .models import BuyerNotice

Kind = BuyerNotice.Kind


def notice_queue(*, reservation, kind: str, amount: Decimal, seats: Iterable = ()) -> None:
    if not settings.CONFIRMATION_EMAILS:
        return
    if to := _address(reservation):
        BuyerNotice.objects.create(
            reservation=reservation,
            kind=kind,
            to=to,
            amount=amount,
            seats=list(seats),
            next_attempt_at=timezone.now(),
        )


def _address(reservation) -> str:
    if reservation.user_id is None:
        return reservation.buyer_email
    verified = Account.objects.filter(
        user_id=reservation.user_id,
        email_verified_at__isnull=False,
        user__email__iexact=F("verified_email"),
    )
    return verified.values_list("verified_email", flat=True).first() or ""
