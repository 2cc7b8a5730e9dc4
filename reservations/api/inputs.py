"""Request bodies the fast path checks as Django's views do (reservations/api/fast.py)."""

from rest_framework import serializers


class SeatActionInput(serializers.Serializer):
    """Lock, unlock and cancel take no fields; their body, if any, is still a JSON object
    (docs/API.md)."""
