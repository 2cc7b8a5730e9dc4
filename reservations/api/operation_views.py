"""The DRF views of the booking calls, built from their rows (operations.py): Django's path."""

import contextlib
import time
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations.booking.best import Ask, best_hold
from reservations.booking.runner import run_and_announce
from reservations.client_address import holds_key, request_client_address
from reservations.ledger.context import seat_changes
from reservations.ledger.models import Via
from reservations.metrics import booking_answered
from reservations.waiting_room.path_health import hold_answered
from reservations.waiting_room.turn_tokens import QUEUE_TURN_HEADER, turn_required

from .booking_limits import BookingThrottle
from .operations import OPERATIONS, Call, Operation, guarded_now


class OperationApi(APIView):
    # No docstring: the schema would give it to every booking call as its description.
    operation: Operation
    permission_classes = [IsAuthenticated]

    def dispatch(self, request, *args, **kwargs):
        started = time.perf_counter()
        response = super().dispatch(request, *args, **kwargs)
        # Every error here is already the API's JsonResponse (errors.py); a success is not
        # rendered yet, and needs no body to be counted.
        status = response.status_code
        seconds = time.perf_counter() - started
        if self.operation.takes_seats and "event_id" in kwargs:  # as the fast path tells it
            hold_answered(seconds, status, kwargs["event_id"])
        booking_answered(
            operation=self.operation.label,
            path="django",
            status=status,
            body=response.content if status >= 400 else b"",
            seconds=seconds,
        )
        return response

    def answer(self, request, ids: dict[str, int]) -> Response:
        operation, user = self.operation, request.user
        call = Call(
            user_id=user.pk,
            ids=ids,
            data=request.data,
            header=lambda name: request.headers.get(name, ""),
            account_checked=True,
            address=holds_key(request_client_address(request)),
        )
        outcome = run_call(operation, call, user=user)
        return Response(
            operation.present(outcome, user.pk),
            status=operation.status,
            headers=operation.headers(outcome) or None,
        )


def run_call(operation: Operation, call: Call, *, user):
    """One booking call on Django's connection: its guard sequence (operations.guarded), each
    change in the ledger as an online one. The outcome is the row's, before `present` shapes it
    (the tests call their rows through here)."""
    return guarded_now(operation, call, _DjangoEdge(user))


@dataclass(frozen=True)
class _DjangoEdge:
    """The guard sequence's steps on Django's path, each plain work in the request's thread."""

    user: AbstractBaseUser

    async def turn_required(self, *, event_id: int, user_id: int, token: str | None) -> None:
        turn_required(event_id=event_id, user_id=user_id, token=token)

    async def best(self, event_id: int, ask: Ask):
        with seat_changes(Via.ONLINE):
            return best_hold(user=self.user, event_id=event_id, wish=ask.wish, address=ask.address)

    def seat_turn(self, seat: tuple[int, ...]) -> contextlib.nullcontext:
        return contextlib.nullcontext()  # the row lock orders the threads' clicks

    async def run(self, work, changes: contextlib.AbstractContextManager):
        with changes:
            return run_and_announce(work)


def _turn_header(operation: Operation) -> list[OpenApiParameter]:
    if not operation.takes_seats:
        return []
    return [
        OpenApiParameter(
            QUEUE_TURN_HEADER,
            str,
            OpenApiParameter.HEADER,
            description="the turn token, while the event's waiting room is on (API.md)",
        )
    ]


def operation_view(operation: Operation) -> type[OperationApi]:
    @extend_schema(
        request=operation.input,
        responses={operation.status: operation.output},
        parameters=[*operation.parameters, *_turn_header(operation)] or None,
        description=operation.description or None,
    )
    def post(self, request, **ids):
        return self.answer(request, ids)

    throttles = [BookingThrottle] if operation.throttled else []
    body = {"operation": operation, "post": post, "throttle_classes": throttles}
    return type(operation.name, (OperationApi,), body)


# (route under /api/, view) of each call of the operation table, for urls.py.
OPERATION_ROUTES = [(operation.route, operation_view(operation)) for operation in OPERATIONS]
