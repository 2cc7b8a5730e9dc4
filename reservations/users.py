"""The rules of accounts, in one place: what a username may be, when two names are the same
person, and how an account ends.

* A username is stored in Unicode NFKC form (Django's own normalisation), so compatibility
  forms such as full-width ``ＡＬＩＣＥ`` become ``ALICE``.
* Two names are the same when they match case-insensitively after that (the database's
  ``iexact``, backed by a unique index on ``UPPER(username)``, migration 0002): ``ＡＬＩＣＥ``
  cannot register beside ``alice``, also not when both register at once.
* A name is letters, digits and ``@ . + - _`` only (Django's ``UnicodeUsernameValidator``): no
  spaces, no invisible (zero-width, bidi) or control characters, no markup.
* Accounts are deactivated, never deleted: a deleted account would strand the seats it holds
  and the seats it booked (they point at it). Deactivating releases its holds through the
  booking services; its bookings stay (staff cancel them through the reservation admin); its
  verified address is forgotten, free for another account.
"""

import unicodedata
from contextlib import suppress

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .accounts.email_verification import verification_end
from .accounts.models import Account
from .booking import release_one_steps
from .booking.runner import run_and_announce
from .exceptions import NotHolder
from .models import Seat

USERNAME_MAX_LENGTH = 150

_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def username_normalize(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw)


def username_key(raw: str) -> str:
    """One key per person: the name normalised and case-folded (for throttles and lookups)."""
    return unicodedata.normalize("NFKC", username_normalize(raw).casefold())


def username_validate(raw: str) -> str:
    """The normalised name, or a ValidationError that says what is wrong with it."""
    name = username_normalize(raw)
    if any(unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in name):
        raise ValidationError(
            "A username may not contain invisible or control characters.", code="invalid"
        )
    if len(name) > USERNAME_MAX_LENGTH:
        raise ValidationError(
            f"A username has at most {USERNAME_MAX_LENGTH} characters.", code="invalid"
        )
    try:
        UnicodeUsernameValidator()(name)
    except ValidationError as exc:
        raise ValidationError(
            "A username may contain only letters, digits and @ . + - _ (no spaces, no markup).",
            code="invalid",
        ) from exc
    return name


def username_taken(raw: str, *, exclude_pk: int | None = None) -> bool:
    users = get_user_model().objects.filter(username__iexact=username_normalize(raw))
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.exists()


class UsernameTaken(ValidationError):
    def __init__(self):
        super().__init__("That username is taken.", code="taken")


def user_create(
    *, username: str, password: str, email: str = "", registered_from: str = ""
) -> AbstractBaseUser:
    """A new account (`email`: where its booking confirmations and a verification link go, none
    if empty; `registered_from`: the client's address_key, for the admin's bursts);
    UsernameTaken if the name is someone's already (also in a race)."""
    name = username_validate(username)
    if username_taken(name):
        raise UsernameTaken()
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=name, email=email, password=password
            )
            Account.objects.create(
                user=user,
                registered_from=registered_from,
                verification_due_at=timezone.now() if email else None,
            )
            return user
    except IntegrityError as exc:  # the same name registered a moment ago (the unique index)
        raise UsernameTaken() from exc


def user_deactivate(*, user: AbstractBaseUser) -> None:
    """End an account: it can no longer log in or use its tokens, and its holds are released.

    The user row is locked first, as every hold does (services' rule 2), so no hold of this
    user starts between the release and the deactivation.
    """
    with transaction.atomic():
        users = get_user_model().objects.select_for_update().filter(pk=user.pk)
        if not users.values_list("is_active", flat=True).first():
            return  # gone or inactive already: its holds are refused and run out by themselves
        held = Seat.objects.filter(status=Seat.Status.LOCKED, held_by=user).values_list(
            "event_id", "id"
        )
        for event_id, seat_id in held.order_by("id"):
            # NotHolder: its lock has ended, so the seat is available already.
            with suppress(NotHolder):
                run_and_announce(
                    release_one_steps(user_id=user.pk, event_id=event_id, seat_id=seat_id)
                )
        users.update(is_active=False)
        user.is_active = False
        verification_end(user_id=user.pk)  # one verified address, one active account
