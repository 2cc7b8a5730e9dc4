"""The door (API.md "Tickets"): what an offline scanner keeps, the counts, a buyer's tickets,
and a scan's body and answer (the scan is a row of the operation table: operations.py).
Thin: reservations/tickets/ decides."""

import base64

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations.models import ReservedSeat
from reservations.selectors import reservation_get
from reservations.tickets.door import Ticket, codes_of, door_counts, qr_of, ticket_of
from reservations.tickets.models import CheckIn, TicketKey

from .console_views import role_needed
from .presenters import SeatPlace


class ScanOutput(serializers.Serializer):
    result = serializers.CharField()
    ticket = serializers.IntegerField()
    seat = SeatPlace()
    name = serializers.CharField()


class ScanInput(serializers.Serializer):
    code = serializers.CharField(max_length=400)
    gate = serializers.CharField(max_length=50)
    direction = serializers.ChoiceField(choices=CheckIn.Direction.choices, default="entry")
    scanned_at = serializers.DateTimeField()
    nonce = serializers.CharField(min_length=8, max_length=64)
    force = serializers.BooleanField(default=False)


def ticket_json(ticket: Ticket) -> dict:
    return {"ticket": ticket.id, "seat": ticket.seat, "name": ticket.name}


class GateCounts(serializers.Serializer):
    entered = serializers.IntegerField()
    left = serializers.IntegerField()
    inside = serializers.IntegerField()


class DoorCounts(GateCounts):
    gates = serializers.DictField(child=GateCounts())


class PublicKey(serializers.Serializer):
    key_id = serializers.IntegerField()
    public_key = serializers.CharField(help_text="base64 of the raw 32 bytes of an Ed25519 key")


class DoorKeysOutput(serializers.Serializer):
    keys = PublicKey(many=True)
    revoked = serializers.ListField(child=serializers.IntegerField())
    counts = DoorCounts()


class DoorKeysApi(APIView):
    """What an offline scanner keeps: the event's public keys, the tickets revoked, the counts."""

    permission_classes = [IsAuthenticated, role_needed("scan_tickets")]

    @extend_schema(responses=DoorKeysOutput)
    def get(self, request, event_id: int):
        keys = TicketKey.objects.filter(event_id=event_id).values_list("key_id", "public_key")
        # Ended for good (refunded, cancelled, reseated, expired unpaid): a scanner keeps them.
        # An order awaiting payment's are not: its tickets are not issued yet, and let in once
        # it is paid (the server refuses them `unpaid` meanwhile).
        revoked = ReservedSeat.objects.filter(seat__event_id=event_id, is_active=False)
        return Response(
            {
                "keys": [
                    {"key_id": key_id, "public_key": base64.b64encode(bytes(public)).decode()}
                    for key_id, public in keys
                ],
                "revoked": list(revoked.order_by("id").values_list("id", flat=True)),
                "counts": door_counts(event_id),
            }
        )


class DoorCountsApi(APIView):
    """The hall's and each gate's counts, for the organiser's console (its socket's `door`
    frames move them on)."""

    permission_classes = [IsAuthenticated, role_needed("view_console")]

    @extend_schema(responses=DoorCounts)
    def get(self, request, event_id: int):
        return Response(door_counts(event_id))


class TicketOutput(serializers.Serializer):
    ticket = serializers.IntegerField()
    seat = SeatPlace()
    name = serializers.CharField()
    code = serializers.CharField()
    qr = serializers.CharField(help_text="the code's QR code, an SVG data URI")


class TicketsOutput(serializers.Serializer):
    tickets = TicketOutput(many=True)


class TicketsApi(APIView):
    """A buyer's tickets of a confirmed booking: a code a seat (none while it is not paid)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TicketsOutput)
    def get(self, request, reservation_id: int):
        order = reservation_get(user=request.user, reservation_id=reservation_id)
        if order.status != "confirmed":
            return Response({"tickets": []})
        return Response(
            {
                "tickets": [
                    {
                        **ticket_json(ticket_of(t)),
                        "code": code,
                        "qr": qr_of(code).svg_data_uri(scale=4),
                    }
                    for t, code in codes_of(order)
                ]
            }
        )
