"""An account's e-mail is verified once its owner opened the link we sent to that address
(API.md "E-mail verification"); joining a waiting room asks for it while
WAITING_ROOM_REQUIRES_VERIFIED_EMAIL is on (the default), and holding seats of an event whose
organiser says so (`Event.holds_need_verified_email`).

The link's token is Django's signing (a TimestampSigner under SECRET_KEY, a salt of its own)
of the account's id and a digest of the address it was sent to, good for
EMAIL_VERIFICATION_MAX_AGE seconds. It verifies that address of that account only: after the
address changed it verifies nothing, and a value signed for another purpose (another salt) or
by another key is refused. Reading a link twice verifies once. Nothing is stored per link:
a new link does not end an older one, which runs out by itself.

An address is verified while it is still the account's e-mail (`Account.verified_email`), so
an address changed anywhere (the admin too) is unverified until its own link is read.

One inbox, one account: an address is verified on one account at a time (a unique index on
the verified address, lower-cased, `+tags` and all: an address is compared whole). A link for
an address another account has verified is refused (EmailTaken), also when both are read at
once; the address is freed when that account's address changes or it is deactivated
(verification_end). Nothing refuses the address before that: who owns the inbox learns it is
taken, nobody else does.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone

from reservations.exceptions import (
    BookingError,
    EmailAlreadyVerified,
    EmailUnverified,
    NoEmail,
    VerificationLinkInvalid,
)
from reservations.models import Event

from .models import Account

SALT = "reservations.accounts.email_verification"


class EmailTaken(BookingError):
    code = "email_taken"
    message = (
        "This e-mail address is confirmed on another account already: log in to that one, or "
        "give this account another address."
    )


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def is_verified(email: str, account: Account | None) -> bool:
    return bool(
        email
        and account is not None
        and account.email_verified_at is not None
        and account.verified_email.lower() == email.lower()
    )


def must_verify_sql(user: str) -> str:
    """In SQL, for the user row `user` (an alias) and the event `%(event_id)s`: whether the
    event asks a verified e-mail of those who hold its seats (`Event.holds_need_verified_email`)
    and the user has none (is_verified's negation), the hold statements' check. The account's
    row is read only for an event that asks (CASE evaluates its branch alone)."""
    unverified = (
        f"({user}.email = '' OR NOT EXISTS (SELECT 1 FROM {Account._meta.db_table} va "
        f"WHERE va.user_id = {user}.id AND va.email_verified_at IS NOT NULL "
        f"AND lower(va.verified_email) = lower({user}.email)))"
    )
    event = Event._meta.db_table
    asks = f"(SELECT e.holds_need_verified_email FROM {event} e WHERE e.id = %(event_id)s)"
    return f"(CASE WHEN {asks} THEN {unverified} ELSE FALSE END)"


def email_verified(user: AbstractBaseUser) -> bool:
    return is_verified(user.email, Account.objects.filter(pk=user.pk).first())


def verified_email_required(*, user_id: int) -> None:
    """EmailUnverified unless the account's e-mail is verified (or the rule is off)."""
    if not settings.WAITING_ROOM_REQUIRES_VERIFIED_EMAIL:
        return
    user = get_user_model().objects.select_related("account").get(pk=user_id)
    if not is_verified(user.email, getattr(user, "account", None)):
        raise EmailUnverified(email=user.email, to="join the queue")


def verification_token(user: AbstractBaseUser) -> str:
    return signing.dumps({"u": user.pk, "e": _digest(user.email)}, salt=SALT)


def verification_queue(*, user_id: int, now: datetime) -> None:
    """Have the sender (verification_emails.py) send the account a link, once this commits."""
    Account.objects.update_or_create(
        user_id=user_id, defaults={"verification_due_at": now, "verification_attempts": 0}
    )


def email_verify(*, token: str, now: datetime | None = None) -> AbstractBaseUser:
    """The account whose address the link verified; VerificationLinkInvalid if it is no link
    of ours, too old, or for an address the account no longer has."""
    max_age = settings.EMAIL_VERIFICATION_MAX_AGE
    try:
        value = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise VerificationLinkInvalid(
            f"This link is more than {max_age // 3600} hours old: have a new one sent."
        ) from exc
    except signing.BadSignature as exc:
        raise VerificationLinkInvalid(
            "This link is not one of ours, or it was cut short: copy all of it, or have a new "
            "one sent."
        ) from exc
    if not isinstance(value, dict) or not isinstance(value.get("u"), int):
        raise VerificationLinkInvalid("This link is not an e-mail confirmation link.")
    try:
        return _verified(value, now or timezone.now())
    except IntegrityError as exc:  # account_one_verified_email: another account has it
        raise EmailTaken() from exc


def _verified(value: dict, now: datetime) -> AbstractBaseUser:
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().filter(pk=value["u"]).first()
        if user is None or not user.is_active or not user.email:
            raise VerificationLinkInvalid("This link is for an account that has no address now.")
        if _digest(user.email) != value.get("e"):
            raise VerificationLinkInvalid(
                "This link is for an address the account no longer has: use the newest link."
            )
        Account.objects.update_or_create(
            user=user,
            defaults={
                "verified_email": user.email,
                "email_verified_at": now,
                "verification_due_at": None,
            },
        )
    return user


def email_change(*, user: AbstractBaseUser, email: str, now: datetime | None = None) -> None:
    """Give the account this address and send it a link (none if it is verified already)."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).update(email=email)
        user.email = email
        verification_end(user_id=user.pk, unless_email=email)
        if not is_verified(email, Account.objects.filter(pk=user.pk).first()):
            verification_queue(user_id=user.pk, now=now or timezone.now())


def verification_end(*, user_id: int, unless_email: str = "") -> None:
    """Forget the account's verified address, unless it is `unless_email` (its address now):
    its address changed, or the account ended. The address is then free for another account,
    and a verified address stays one the account has had since it was verified (the
    confirmation e-mails rely on it: confirmations/sending.py)."""
    verified = Account.objects.filter(pk=user_id, email_verified_at__isnull=False)
    if unless_email:
        verified = verified.exclude(verified_email__iexact=unless_email)
    verified.update(verified_email="", email_verified_at=None)


def verification_resend(*, user: AbstractBaseUser, now: datetime | None = None) -> None:
    """Send the account's address a new link: NoEmail, EmailAlreadyVerified."""
    if not user.email:
        raise NoEmail()
    if email_verified(user):
        raise EmailAlreadyVerified()
    verification_queue(user_id=user.pk, now=now or timezone.now())


def accounts_verified_without_link(*, user_ids: list[int], now: datetime | None = None) -> None:
    """Mark accounts verified with no link sent: the demo's simulated buyers and the load
    tester's users (manage.py seed_demo, create_load_users). One without an address is given
    USERNAME@example.invalid (a reserved domain no mail reaches)."""
    users = get_user_model().objects.filter(pk__in=user_ids)
    users.filter(email="").update(email=Concat("username", Value("@example.invalid")))
    now = now or timezone.now()
    rows = [
        Account(user_id=pk, verified_email=email, email_verified_at=now)
        for pk, email in users.values_list("pk", "email")
    ]
    Account.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["verified_email", "email_verified_at"],
    )
