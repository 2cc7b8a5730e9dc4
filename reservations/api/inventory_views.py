"""GET /api/events/{id}/inventory/: the inventory check (reservations/ledger/inventory.py) of
one event, for the operator (let in as the metrics are: metrics_access.py). The load tester's
verdict calls it at the end of a run (API.md "Operations")."""

import time

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations.ledger.inventory import inventory_disagreements
from reservations.models import Event

from .errors import error_response
from .metrics_access import scrape_allowed

LISTED = 1000  # disagreements listed in one answer; `disagreement_count` counts them all


class InventoryApi(APIView):
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        responses=inline_serializer(
            "Inventory",
            {
                "event": serializers.IntegerField(),
                "agrees": serializers.BooleanField(),
                "disagreement_count": serializers.IntegerField(),
                "disagreements": serializers.ListField(child=serializers.CharField()),
                "seconds": serializers.FloatField(),
            },
        )
    )
    def get(self, request, event_id: int):
        if not scrape_allowed(request):
            return error_response(403, "forbidden", "The inventory check is the operator's.")
        if not Event.objects.filter(pk=event_id).exists():
            return error_response(404, "not_found", "No such event.")
        started = time.perf_counter()
        found = inventory_disagreements(event_id=event_id)
        return Response(
            {
                "event": event_id,
                "agrees": not found,
                "disagreement_count": len(found),
                "disagreements": found[:LISTED],
                "seconds": round(time.perf_counter() - started, 3),
            }
        )
