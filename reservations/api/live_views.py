"""`state/` and `holds/` in Django: their place in the OpenAPI document, and their answer in a
process without live maps.

They are answered on the loop from the event's live map (live_reads.py) whenever this process
has one, which is whenever realtime runs; a process without it (realtime not installed) has no
`epoch`/`seq` to give and answers as API.md says for a live feed out of reach: 503
`unavailable`, `Retry-After: 1`.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from reservations.live_seats import LiveMapsUnavailable


class LiveStateOutput(serializers.Serializer):
    """GET /api/events/{id}/state/ (API.md)."""

    event_id = serializers.IntegerField()
    epoch = serializers.CharField(help_text="The life of the event's `seq` (PROTOCOL.md).")
    seq = serializers.IntegerField(help_text="The event's stream position of these states.")
    seats_total = serializers.IntegerField()
    status = serializers.CharField(
        help_text="One letter per seat, in map/'s order: a available, l locked, r reserved."
    )
    version = serializers.ListField(child=serializers.IntegerField())
    locked_until = serializers.DictField(
        child=serializers.DateTimeField(), help_text="For the seats shown `l`, by seat id."
    )


class OwnHoldsOutput(serializers.Serializer):
    """GET /api/events/{id}/holds/ (API.md)."""

    class Hold(serializers.Serializer):
        id = serializers.IntegerField()
        locked_until = serializers.DateTimeField()

    event_id = serializers.IntegerField()
    seats = Hold(many=True, help_text="The caller's running holds, by seat id.")
    booked = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The seats of the caller's confirmed reservations of the event, by id.",
    )


class LiveStateApi(APIView):
    throttle_classes = []  # it costs what a socket's message does (API.md)

    @extend_schema(responses=LiveStateOutput)
    def get(self, request, event_id: int):
        raise LiveMapsUnavailable()


class OwnHoldsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OwnHoldsOutput)
    def get(self, request, event_id: int):
        raise LiveMapsUnavailable()
