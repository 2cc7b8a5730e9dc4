"""Request bodies and headers the fast path checks as Django's views do (reservations/api/fast.py):
one definition each, used by both."""

from rest_framework import serializers


class SeatActionInput(serializers.Serializer):
    """Lock, unlock and cancel take no fields; their body, if any, is still a JSON object
    (docs/API.md)."""


class SeatIdsInput(serializers.Serializer):
    """Lock several and reserve."""

    seat_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=100
    )

    def validate_seat_ids(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("A seat may appear only once.")
        return value


def seat_ids_of(data) -> list[int]:
    """The validated `seat_ids` of a parsed body; what SeatIdsInput says, without building it
    for a body that is plainly right (a list of distinct positive ints, the common case)."""
    ids = data.get("seat_ids") if type(data) is dict else None
    if (
        type(ids) is list
        and 0 < len(ids) <= 100
        and all(type(i) is int and i >= 1 for i in ids)
        and len(set(ids)) == len(ids)
    ):
        return ids
    serializer = SeatIdsInput(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["seat_ids"]


def idempotency_key_of(header: str) -> str | None:
    """The `Idempotency-Key` of a reserve (API.md), None when there is none."""
    key = header.strip() or None
    if key is not None and len(key) > 255:
        raise serializers.ValidationError(
            {"Idempotency-Key": ["The Idempotency-Key is over 255 characters."]}
        )
    return key
