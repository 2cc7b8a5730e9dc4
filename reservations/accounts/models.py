"""The accounts' table (app label `reservations`, registered by reservations/models.py): one
row per user who registered or verified an address; a user without one has verified nothing."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Account(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="account"
    )
    # The address that was verified, and when: verified while it is still the user's e-mail
    # (an address changed anywhere, the admin too, is unverified until its own link is read).
    verified_email = models.EmailField(blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # The client address the account was registered from (client_address.address_key: an IPv6
    # client's /64); blank for accounts made otherwise (the admin, commands).
    registered_from = models.CharField(max_length=64, blank=True)
    # The verification e-mail's sending (verification_emails.py): due then, null when none is.
    verification_due_at = models.DateTimeField(null=True, blank=True)
    verification_attempts = models.PositiveIntegerField(default=0)

    class Meta:
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
