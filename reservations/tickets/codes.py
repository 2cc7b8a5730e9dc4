"""A ticket's code: what a scanner needs to let a seat's holder in, signed with the event's key,
checkable with no network (pretix's signed secrets, our own layout; docs/API.md "Tickets").

    version (1 byte) | key id (2) | event id (4) | ticket id (8) | label length (1) | label
    | Ed25519 signature of all of that (64)

written in base32 without padding (RFC 4648: A-Z and 2-7), which a QR code stores in its
alphanumeric mode, 5.5 bits a character: a seat's code is ~140 characters, a QR code of version
7 or 8 a phone shows at arm's length. Pure: no database, no clock.
"""

import base64
import binascii
import struct
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
_HEAD = struct.Struct(">BHIQB")  # version, key id, event, ticket, label length
SIGNATURE_BYTES = 64


@dataclass(frozen=True)
class TicketFacts:
    """What a code says: whose key signed it, and the ticket, its event and its seat."""

    key_id: int
    event_id: int
    ticket_id: int
    label: str


class CodeRefused(ValueError):
    """Not a ticket code of ours: cut short, altered, signed by no key we know."""


def code_of(facts: TicketFacts, key: Ed25519PrivateKey) -> str:
    label = facts.label.encode()[:255]
    body = _HEAD.pack(VERSION, facts.key_id, facts.event_id, facts.ticket_id, len(label)) + label
    return base64.b32encode(body + key.sign(body)).decode().rstrip("=")


def head_of(code: str) -> tuple[int, int] | None:
    """The event a code says it is for and the id of the key it says signed it, unchecked
    (whose key checks it); None: not a code."""
    try:
        raw = _raw(code)
    except CodeRefused:
        return None
    if len(raw) < _HEAD.size:
        return None
    _, key_id, event_id, _, _ = _HEAD.unpack_from(raw)
    return event_id, key_id


def _raw(code: str) -> bytes:
    text = code.strip().upper()
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise CodeRefused("not a ticket code") from None
    if base64.b32encode(raw).decode().rstrip("=") != text:  # the last character's spare bits
        raise CodeRefused("not a ticket code")
    return raw


def facts_of(code: str, key_of: Callable[[int], Ed25519PublicKey | None]) -> TicketFacts:
    """The code's facts once its signature holds under the key it names (`key_of` a key id:
    its event's key of that id, or None); CodeRefused otherwise."""
    raw = _raw(code)
    if len(raw) < _HEAD.size + SIGNATURE_BYTES:
        raise CodeRefused("cut short")
    version, key_id, event_id, ticket_id, length = _HEAD.unpack_from(raw)
    body_end = _HEAD.size + length
    if version != VERSION or len(raw) != body_end + SIGNATURE_BYTES:
        raise CodeRefused("not a ticket code of this version")
    key = key_of(key_id)
    if key is None:
        raise CodeRefused("signed by no key of this event")
    try:
        key.verify(raw[body_end:], raw[:body_end])
    except InvalidSignature:
        raise CodeRefused("its signature does not hold") from None
    try:
        label = raw[_HEAD.size : body_end].decode()
    except UnicodeDecodeError:
        raise CodeRefused("not a ticket code") from None
    return TicketFacts(key_id=key_id, event_id=event_id, ticket_id=ticket_id, label=label)
