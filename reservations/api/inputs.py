"""Request bodies and headers the fast path checks as Django's views do (reservations/api/fast.py):
both use these."""

from rest_framework import serializers


class SeatActionInput(serializers.Serializer):
    """Lock, unlock and cancel take no fields; their body, if any, is still a JSON object
    (docs/API.md)."""


class SeatIdsInput(serializers.Serializer):
    """Lock several and reserve: `{"seat_ids": [...]}`."""

    seat_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=100
    )

    def validate_seat_ids(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("A seat may appear only once.")
        return value


def plain_seat_ids(data) -> list[int] | None:
    """The seat ids of a body SeatIdsInput takes as it is (ints, 1 to 100 of them, each once),
    without its cost; None for any other body, which SeatIdsInput then judges."""
    if type(data) is not dict:
        return None
    seat_ids = data.get("seat_ids")
    if type(seat_ids) is not list or not 0 < len(seat_ids) <= 100:
        return None
    for seat_id in seat_ids:
        if type(seat_id) is not int or seat_id < 1:
            return None
    if len(set(seat_ids)) != len(seat_ids):
        return None
    return seat_ids


def idempotency_key_of(header: str | None) -> str | None:
    """Reserve's `Idempotency-Key`: none if absent or blank; 400 over 255 characters."""
    key = (header or "").strip() or None
    if key is not None and len(key) > 255:
        raise serializers.ValidationError(
            {"Idempotency-Key": ["The Idempotency-Key is over 255 characters."]}
        )
    return key
