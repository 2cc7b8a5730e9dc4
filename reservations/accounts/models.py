"""The accounts' tables (app label `reservations`, registered by reservations/models.py): one
row per user who registered or verified an address (a user without one has verified nothing),
and one per login's chain of refresh tokens."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Account(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="account"
    )
    # The address that was verified, and when: verified while it is still the user's e-mail
    # (an address changed anywhere, the admin too, is unverified until its own link is read);
    # cleared when the address changes or the account ends (email_verification.py), so a
    # verified address has been the user's ever since email_verified_at.
    verified_email = models.EmailField(blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # The client address the account was registered from (client_address.address_key: an IPv6
    # client's /64); blank for accounts made otherwise (the admin, commands).
    registered_from = models.CharField(max_length=64, blank=True)
    # The verification e-mail's sending (verification_emails.py): due then, null when none is.
    verification_due_at = models.DateTimeField(null=True, blank=True)
    verification_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # One inbox, one account: an address is verified on one account at a time, compared
            # whole and case-insensitively (a+tag@ and a@ are two addresses).
            models.UniqueConstraint(
                Lower("verified_email"),
                condition=Q(email_verified_at__isnull=False),
                name="account_one_verified_email",
            )
        ]
        indexes = [
            models.Index(
                fields=["verification_due_at"],
                name="account_verification_due",
                condition=Q(verification_due_at__isnull=False),
            ),
            models.Index(
                fields=["registered_from"],
                name="account_registered_from",
                condition=~Q(registered_from=""),
            ),
        ]

    def __str__(self) -> str:
        return f"account of user {self.user_id}"


class RefreshFamily(models.Model):
    """One login's chain of refresh tokens (RFC 9700 §4.14.2; the rules: api/tokens.py).

    Each refresh token names its family and its own `jti`. Only the family's current token
    rotates; the one before it may be shown again for REFRESH_REUSE_GRACE_SECONDS after it was
    rotated (two tabs refreshing with one cookie) and gets the current one back; any other token
    of the family is a replay, and revokes the family.
    """

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_families"
    )
    current_jti = models.CharField(max_length=64)
    # The current token's `iat` (epoch seconds): with the jti it signs the same token again.
    current_issued_at = models.BigIntegerField()
    previous_jti = models.CharField(max_length=64, blank=True)
    rotated_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"refresh family {self.pk} of user {self.user_id}"
