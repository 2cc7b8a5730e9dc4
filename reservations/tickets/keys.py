"""An event's ticket keys (models.TicketKey): the newest signs, every one checks."""

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.db import IntegrityError, transaction

from .models import TicketKey


def key_rotate(event_id: int) -> TicketKey:
    """A new signing key for the event: tickets issued from now are signed with it; those
    signed before still check (their key stays)."""
    private = Ed25519PrivateKey.generate()
    latest = TicketKey.objects.filter(event_id=event_id).order_by("-key_id").first()
    return TicketKey.objects.create(
        event_id=event_id,
        key_id=(latest.key_id + 1) if latest else 1,
        private_key=private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
        public_key=private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    )


def signing_key(event_id: int) -> tuple[int, Ed25519PrivateKey]:
    """The event's newest key, made the first time one is asked for (two asking at once: one
    makes it, the other finds it)."""
    key = TicketKey.objects.filter(event_id=event_id).order_by("-key_id").first()
    if key is None:
        try:
            with transaction.atomic():
                key = key_rotate(event_id)
        except IntegrityError:
            key = TicketKey.objects.filter(event_id=event_id).order_by("-key_id").first()
    return key.key_id, Ed25519PrivateKey.from_private_bytes(bytes(key.private_key))
