"""Request bodies and headers the fast path checks as Django's views do (reservations/api/fast.py):
one definition each, used by both; and `validated`, how every view reads a body through its
input serializer."""

from decimal import Decimal

from rest_framework import serializers

from reservations.seating import Request


def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    """`data` as `serializer_class` validates it; its errors raise (API.md's 400 answer)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TextField(serializers.CharField):
    """A JSON string only: DRF's CharField would take a number as its text (API.md: wrong types
    are 400 `invalid`)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class SeatActionInput(serializers.Serializer):
    """Lock, unlock and cancel take no fields; their body, if any, is still a JSON object
    (docs/API.md)."""


# The most seats one call may name (API.md).
SEAT_IDS_MAX = 100


class SeatIdsInput(serializers.Serializer):
    """Lock several and reserve."""

    seat_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=SEAT_IDS_MAX
    )

    def validate_seat_ids(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("A seat may appear only once.")
        return value


class ReserveInput(SeatIdsInput):
    """Reserve: the seats, and optionally the total the buyer was shown (API.md)."""

    total = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)


BEST_MAX_COUNT = 100


class BestInput(serializers.Serializer):
    """Best available (docs/API.md "Best available")."""

    count = serializers.IntegerField(min_value=1, max_value=BEST_MAX_COUNT)
    category = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    section = serializers.CharField(required=False, max_length=50)
    accessible = serializers.IntegerField(required=False, min_value=0, default=0)

    def validate(self, data):
        if data["accessible"] > data["count"]:
            raise serializers.ValidationError({"accessible": "At most `count` seats."})
        return data


def best_request_of(data) -> Request:
    """The validated wish of a best-available body, as the picker takes it; what BestInput
    says, without building it for the common body (`{"count": N}` with a small N)."""
    if type(data) is dict and data.keys() == {"count"}:
        count = data["count"]
        if type(count) is int and 1 <= count <= BEST_MAX_COUNT:
            return Request(count=count)
    return Request(**validated(BestInput, data))


def seat_ids_of(data) -> list[int]:
    """The validated `seat_ids` of a parsed body; what SeatIdsInput says, without building it
    for a body that is plainly right (a list of distinct positive ints, the common case)."""
    ids = data.get("seat_ids") if type(data) is dict else None
    if (
        type(ids) is list
        and 0 < len(ids) <= SEAT_IDS_MAX
        and all(type(i) is int and i >= 1 for i in ids)
        and len(set(ids)) == len(ids)
    ):
        return ids
    return validated(SeatIdsInput, data)["seat_ids"]


def reserve_input_of(data) -> tuple[list[int], Decimal | None]:
    """The validated seats and `total` of a reserve body; the common body (`seat_ids` alone)
    as seat_ids_of reads it."""
    if type(data) is dict and data.keys() == {"seat_ids"}:
        return seat_ids_of(data), None
    body = validated(ReserveInput, data)
    return body["seat_ids"], body.get("total")


def idempotency_key_of(header: str) -> str | None:
    """The `Idempotency-Key` of a reserve (API.md), None when there is none."""
    key = header.strip() or None
    if key is not None and len(key) > 255:
        raise serializers.ValidationError(
            {"Idempotency-Key": ["The Idempotency-Key is over 255 characters."]}
        )
    return key
