"""The waiting room's HTTP side (API.md "Waiting room"): parse, call, shape."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations.exceptions import NoQueue, NotFound
from reservations.models import Event, QueueEntry, WaitingRoom
from reservations.waiting_room.places import place_join, turn_claim, turn_extend
from reservations.waiting_room.public_state import place_json, proof_json, public_state, turn_json

from .booking_limits import BookingThrottle
from .inputs import SeatActionInput
from .throttles import AnonReadThrottle

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
)


def _room(event_id: int) -> WaitingRoom:
    room = WaitingRoom.objects.filter(event_id=event_id).first()
    if room is not None:
        return room
    if not Event.objects.filter(pk=event_id).exists():
        raise NotFound("No such event.")
    raise NoQueue()


class QueueStateApi(APIView):
    throttle_classes = [AnonReadThrottle]

    @extend_schema(
        operation_id="queue_state",
        responses=inline_serializer(
            "QueueState",
            {
                "event_id": serializers.IntegerField(),
                "state": serializers.CharField(),
                "serving": serializers.IntegerField(),
                "place": _PLACE,
            },
        ),
        description="The waiting room's public state and, for a logged-in caller, their place "
        "(every field: API.md 'Waiting room').",
    )
    def get(self, request, event_id: int):
        room, now = _room(event_id), timezone.now()
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
        room = _room(event_id)
        entry = place_join(user_id=request.user.pk, event_id=event_id)
        return Response({"place": place_json(entry, room)})


class QueueClaimApi(_QueueCall):
    @extend_schema(
        operation_id="queue_claim",
        request=SeatActionInput,
        responses=inline_serializer("QueueClaimed", {"turn": _TURN}),
    )
    def post(self, request, event_id: int):
        _room(event_id)
        return Response({"turn": turn_json(turn_claim(user_id=request.user.pk, event_id=event_id))})


class QueueExtendApi(_QueueCall):
    @extend_schema(
        operation_id="queue_extend",
        request=SeatActionInput,
        responses=inline_serializer("QueueExtended", {"turn": _TURN}),
    )
    def post(self, request, event_id: int):
        _room(event_id)
        turn = turn_extend(user_id=request.user.pk, event_id=event_id)
        return Response({"turn": turn_json(turn)})


class QueueProofApi(APIView):
    throttle_classes = [AnonReadThrottle]

    @extend_schema(
        operation_id="queue_proof",
        responses=inline_serializer(
            "QueueProof",
            {
                "event_id": serializers.IntegerField(),
                "commitment": serializers.CharField(),
                "seed": serializers.CharField(allow_null=True),
                "entrants_digest": serializers.CharField(allow_null=True),
                "order": serializers.ListField(child=serializers.CharField(), allow_null=True),
            },
        ),
        description="The draw's proof: python -m reservations.waiting_room.verify recomputes it",
    )
    def get(self, request, event_id: int):
        return Response(proof_json(_room(event_id)))
