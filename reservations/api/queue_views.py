"""The waiting room's HTTP side (API.md "Waiting room"): parse, call, shape."""

import hashlib

from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations.models import QueueEntry, WaitingRoom
from reservations.waiting_room.places import place_join, room_of, turn_claim, turn_extend
from reservations.waiting_room.public_state import place_json, proof_json, public_state, turn_json

from .booking_limits import BookingThrottle
from .inputs import SeatActionInput
from .loop_requests import drf_rendered
from .stored_documents import documents
from .throttles import ReadThrottle

_TURN = inline_serializer(
    "QueueTurn",
    {
        "token": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
        "extended": serializers.BooleanField(),
    },
)
_PLACE = inline_serializer(
    "QueuePlace",
    {
        "entry_id": serializers.CharField(),
        "number": serializers.IntegerField(allow_null=True),
        "late": serializers.BooleanField(),
        "called": serializers.BooleanField(),
        "claim_by": serializers.DateTimeField(allow_null=True),
        "turn": inline_serializer(
            "QueuePlaceTurn",
            {
                "token": serializers.CharField(),
                "expires_at": serializers.DateTimeField(),
                "extended": serializers.BooleanField(),
            },
            allow_null=True,
        ),
    },
    allow_null=True,
)


class QueueStateOutput(serializers.Serializer):
    """The public state of API.md "Waiting room" (also the socket's `queue` frame)."""

    event_id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=WaitingRoom.State.choices)
    reason = serializers.ChoiceField(choices=["", "redis", "organiser", "slow", "randomness"])
    opens_at = serializers.DateTimeField()
    on_sale_at = serializers.DateTimeField()
    drawn = serializers.BooleanField()
    entrants = serializers.IntegerField()
    joined = serializers.IntegerField()
    serving = serializers.IntegerField(help_text="the highest number called")
    rate = serializers.FloatField(help_text="numbers called in the last minute")
    show_share = serializers.FloatField()
    seats_per_order = serializers.FloatField()
    seats_left = serializers.IntegerField()
    holds_end_at = serializers.DateTimeField(allow_null=True)
    turn_seconds = serializers.IntegerField()
    claim_seconds = serializers.IntegerField()
    max_active = serializers.IntegerField()
    commitment = serializers.CharField(help_text="sha256 of the draw's seed, hex")
    randomness_source = serializers.CharField()
    generation = serializers.IntegerField()
    reread = serializers.IntegerField()
    at = serializers.DateTimeField()
    place = _PLACE


class QueueProofOutput(serializers.Serializer):
    event_id = serializers.IntegerField()
    commitment = serializers.CharField()
    seed = serializers.CharField(allow_null=True)
    randomness_source = serializers.CharField()
    public_randomness = serializers.CharField()
    entrants_digest = serializers.CharField(allow_null=True)
    entrants = serializers.ListField(child=serializers.CharField(), allow_null=True)
    order = serializers.ListField(child=serializers.CharField(), allow_null=True)
    late = serializers.ListField(child=serializers.CharField(), allow_null=True)


class QueueStateApi(APIView):
    throttle_classes = [ReadThrottle]

    @extend_schema(
        operation_id="queue_state",
        responses=QueueStateOutput,
        description="The waiting room's public state and, for a logged-in caller, their place "
        "(every field: API.md 'Waiting room').",
    )
    def get(self, request, event_id: int):
        room, now = room_of(event_id), timezone.now()
        entry = (
            QueueEntry.objects.filter(room=room, user_id=request.user.pk).first()
            if request.user.is_authenticated
            else None
        )
        place = place_json(entry, room, now) if entry else None
        return Response({**public_state(room, now), "place": place})


class _QueueCall(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [BookingThrottle]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        SeatActionInput(data=request.data).is_valid(raise_exception=True)


class QueueJoinApi(_QueueCall):
    @extend_schema(
        operation_id="queue_join",
        request=SeatActionInput,
        responses=inline_serializer("QueueJoined", {"place": _PLACE}),
    )
    def post(self, request, event_id: int):
        room = room_of(event_id)
        entry = place_join(user_id=request.user.pk, event_id=event_id)
        return Response({"place": place_json(entry, room)})


class QueueClaimApi(_QueueCall):
    @extend_schema(
        operation_id="queue_claim",
        request=SeatActionInput,
        responses=inline_serializer("QueueClaimed", {"turn": _TURN}),
    )
    def post(self, request, event_id: int):
        room_of(event_id)
        return Response({"turn": turn_json(turn_claim(user_id=request.user.pk, event_id=event_id))})


class QueueExtendApi(_QueueCall):
    @extend_schema(
        operation_id="queue_extend",
        request=SeatActionInput,
        responses=inline_serializer("QueueExtended", {"turn": _TURN}),
    )
    def post(self, request, event_id: int):
        room_of(event_id)
        turn = turn_extend(user_id=request.user.pk, event_id=event_id)
        return Response({"turn": turn_json(turn)})


class QueueProofApi(APIView):
    throttle_classes = [ReadThrottle]

    @extend_schema(
        operation_id="queue_proof",
        responses=QueueProofOutput,
        description="The draw's proof: python -m reservations.waiting_room.verify recomputes it",
    )
    def get(self, request, event_id: int):
        room = room_of(event_id)
        body = None
        if room.drawn_at is None:  # a few bytes, and staff may still name the randomness
            body = drf_rendered(proof_json(room))
            tag = f'"proof-{hashlib.sha256(body).hexdigest()[:24]}"'
        else:  # after the draw it grows only as late entrants are numbered
            numbered = QueueEntry.objects.filter(room=room, number__isnull=False).count()
            said = hashlib.sha256(room.public_randomness.encode()).hexdigest()[:8]
            tag = f'"proof-{room.event_id}-{room.drawn_at.timestamp():.6f}-{numbered}-{said}"'
        if tag in request.headers.get("If-None-Match", ""):
            return HttpResponseNotModified(headers={"ETag": tag})
        if body is None and (body := documents().get(tag)) is None:  # once per numbered entrant
            body = drf_rendered(proof_json(room))
            documents().set(tag, body)
        return HttpResponse(body, content_type="application/json", headers={"ETag": tag})
