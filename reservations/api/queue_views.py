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
from reservations.waiting_room.public_state import (
    LATE_PAGE,
    late_page_json,
    place_json,
    proof_json,
    public_state,
    turn_json,
)

from .booking_limits import BookingThrottle
from .inputs import SeatActionInput, validated
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
    late_pages = serializers.CharField(allow_null=True)


class LatePageInput(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=10**9, default=0)


class QueueProofLateOutput(serializers.Serializer):
    event_id = serializers.IntegerField()
    after = serializers.IntegerField()
    late = serializers.ListField(child=serializers.CharField())
    next = serializers.CharField(allow_null=True)


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


class QueueJoinInput(serializers.Serializer):
    altcha = serializers.CharField(
        required=False, max_length=4096, help_text='a solved challenge (API.md "Challenges")'
    )


class QueueJoinApi(_QueueCall):
    @extend_schema(
        operation_id="queue_join",
        request=QueueJoinInput,
        responses=inline_serializer("QueueJoined", {"place": _PLACE}),
    )
    def post(self, request, event_id: int):
        room = room_of(event_id)
        work = validated(QueueJoinInput, request.data).get("altcha")
        entry = place_join(user_id=request.user.pk, event_id=event_id, work=work)
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
        if room.drawn_at is None:  # a few bytes, and staff may still name the randomness
            body = drf_rendered(proof_json(room))
            return _tagged(request, f'"proof-{hashlib.sha256(body).hexdigest()[:24]}"', body)
        # Drawn: it never changes again (the late arrivals are paged apart): built once.
        tag = f'"proof-{room.event_id}-{room.drawn_at.timestamp():.6f}"'
        return _tagged(request, tag, lambda: drf_rendered(proof_json(room)))


class QueueProofLateApi(APIView):
    throttle_classes = [ReadThrottle]

    @extend_schema(
        operation_id="queue_proof_late",
        parameters=[LatePageInput],
        responses=QueueProofLateOutput,
        description="The draw's late arrivals, a page at a time (API.md)",
    )
    def get(self, request, event_id: int):
        room = room_of(event_id)
        after = validated(LatePageInput, request.query_params)["after"]
        if after + LATE_PAGE <= room.numbered - room.entrants:  # a full page: final
            tag = f'"late-{room.event_id}-{room.drawn_at.timestamp():.6f}-{after}"'
            return _tagged(request, tag, lambda: drf_rendered(late_page_json(room, after)))
        body = drf_rendered(late_page_json(room, after))  # the last: it grows as late ones come
        return _tagged(request, f'"late-{hashlib.sha256(body).hexdigest()[:24]}"', body)


def _tagged(request, tag: str, body) -> HttpResponse:
    """200 with `body` and its ETag, or 304 when If-None-Match names it. A `body` to make (a
    callable) is made once per tag, kept in the documents' store."""
    if tag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers={"ETag": tag})
    if callable(body):
        make, body = body, documents().get(tag)
        if body is None:
            body = make()
            documents().set(tag, body)
    return HttpResponse(body, content_type="application/json", headers={"ETag": tag})
