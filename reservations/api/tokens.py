"""Refresh tokens as this API hands them out and takes them back (RFC 9700 §4.14.2).

Every login starts a family (``RefreshFamily``); its refresh tokens carry the family in the
``fam`` claim (copied into their access tokens too). The rules, all here:

* **One use.** Only the family's current token rotates. The family's row is locked for the
  refresh (``SELECT ... FOR UPDATE``), so of two refreshes with one token exactly one rotates it;
  the other sees it rotated.
* **A replay revokes the family.** A token of the family that is not its current one has been
  used before (by its owner, or by whoever stole it): the whole family is revoked, the current
  token included, and both holders must log in again.
* **Grace for the token just rotated.** Two tabs that reload together send one cookie twice.
  For REFRESH_REUSE_GRACE_SECONDS after a rotation, the token it replaced gets the family's
  current token again (the same token, signed again from its claims), not a fresh one, so
  whichever answer the browser keeps last, the cookie holds the current token.
* **Logout revokes the family** of the refresh token it is given, or of the bearer token it is
  sent with.

A token from before families (no ``fam``) is refused like a spent one: log in again.
"""

import uuid
from contextlib import suppress
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_to_epoch

from reservations.models import RefreshFamily
from reservations.signals import family_revoked_on_commit

from .inputs import TextField

FAMILY_CLAIM = "fam"


def refresh_token_issue(user) -> RefreshToken:
    """The first refresh token of a new family: a login."""
    family = RefreshFamily.objects.create(
        id=uuid.uuid4(),
        user=user,
        current_jti=uuid.uuid4().hex,
        current_issued_at=datetime_to_epoch(timezone.now()),
    )
    return _signed(family)


def refresh_token_rotate(raw: str) -> RefreshToken:
    """The next refresh token for `raw` (its access token: ``.access_token``), by the rules of
    the module's docstring; InvalidToken when there is none."""
    claims = _verified(raw)
    replayed = False
    with transaction.atomic():
        family = (
            RefreshFamily.objects.select_for_update()
            .select_related("user")
            .filter(pk=claims.family_id, revoked_at__isnull=True)
            .first()
        )
        if family is None or not api_settings.USER_AUTHENTICATION_RULE(family.user):
            raise InvalidToken("The token is revoked, or its account is gone.")
        now = timezone.now()
        if claims.jti == family.current_jti:
            family.previous_jti, family.current_jti = family.current_jti, uuid.uuid4().hex
            family.current_issued_at = datetime_to_epoch(now)
            family.rotated_at = now
            family.save(
                update_fields=["previous_jti", "current_jti", "current_issued_at", "rotated_at"]
            )
        elif not _in_grace(family, claims.jti, now):
            family.revoked_at = now
            family.save(update_fields=["revoked_at"])
            family_revoked_on_commit(family=str(family.pk))
            replayed = True
    if replayed:  # raised after the commit: the revocation stands
        raise InvalidToken("The token was used before: its family is revoked.")
    return _signed(family)


def refresh_family_revoke(raw: str) -> None:
    """Revoke the family of a refresh token. One that is expired, forged or not ours is no
    longer usable anyway: nothing to do, and no error (logout stays idempotent)."""
    with suppress(TokenError, InvalidToken):
        _family_revoke(_verified(raw).family_id)


def bearer_family_revoke(access_token) -> None:
    """Revoke the family whose login gave this access token (a logout with only a bearer)."""
    if family_id := _family_of(access_token.payload):
        _family_revoke(family_id)


class TokenObtainInput(TokenObtainPairSerializer):
    """simplejwt's login, its refresh token the first of a new family."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As typed, spaces and all, as register and /api/login/ take it (simplejwt trims it).
        self.fields["password"] = TextField(write_only=True, trim_whitespace=False)
        self.fields[self.username_field] = TextField(write_only=True)  # JSON strings only

    @classmethod
    def get_token(cls, user):
        return refresh_token_issue(user)


class TokenRefreshInput(serializers.Serializer):
    """``{"refresh"}`` in, ``{"access", "refresh"}`` out, by refresh_token_rotate."""

    refresh = TextField(max_length=4096)
    access = serializers.CharField(read_only=True)

    def validate(self, attrs):
        refresh = refresh_token_rotate(attrs["refresh"])
        return {"access": str(refresh.access_token), "refresh": str(refresh)}


class _Claims(NamedTuple):
    family_id: uuid.UUID
    jti: str


def _verified(raw: str) -> _Claims:
    try:
        token = RefreshToken(raw)
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc
    family_id = _family_of(token.payload)
    if family_id is None:
        raise InvalidToken("The token belongs to no family: log in again.")
    return _Claims(family_id, str(token.payload.get(api_settings.JTI_CLAIM)))


def _family_of(payload) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(payload.get(FAMILY_CLAIM)))
    except ValueError:
        return None


def _in_grace(family: RefreshFamily, jti: str, now) -> bool:
    grace = timedelta(seconds=settings.REFRESH_REUSE_GRACE_SECONDS)
    return (
        bool(family.previous_jti)
        and jti == family.previous_jti
        and family.rotated_at is not None
        and now - family.rotated_at <= grace
    )


def _family_revoke(family_id: uuid.UUID) -> None:
    if RefreshFamily.objects.filter(pk=family_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    ):
        family_revoked_on_commit(family=str(family_id))


def _signed(family: RefreshFamily) -> RefreshToken:
    """The family's current token. Its claims are set in one order from the family's row, so
    the same row signs the same token again (HS256 is deterministic): the grace answer."""
    token = RefreshToken()
    token["exp"] = family.current_issued_at + int(RefreshToken.lifetime.total_seconds())
    token["iat"] = family.current_issued_at
    token[api_settings.JTI_CLAIM] = family.current_jti
    token[api_settings.USER_ID_CLAIM] = str(family.user_id)
    token[FAMILY_CLAIM] = str(family.pk)
    return token
