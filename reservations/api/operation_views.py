"""The DRF views of the booking calls, built from their rows (operations.py): Django's path."""

import time

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations.client_address import holds_key, request_client_address
from reservations.ledger.context import seat_changes
from reservations.ledger.models import Via
from reservations.live_seats import refusal
from reservations.metrics import booking_answered
from reservations.services.best import Ask, best_hold
from reservations.services.runner import run_and_announce
from reservations.waiting_room.path_health import hold_answered
from reservations.waiting_room.turn_tokens import QUEUE_TURN_HEADER, turn_required

from .booking_limits import BookingThrottle
from .operations import BOOKING_OPERATIONS, Call, Operation


class OperationApi(APIView):
    # No docstring: the schema would give it to every booking call as its description.
    operation: Operation
    permission_classes = [IsAuthenticated]
    throttle_classes = [BookingThrottle]

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
    """One booking call on Django's connection: the buyer's turn, the memory's refusal of a seat
    it shows someone else's, then the row's steps, in the ledger as an online change. The
    outcome is the row's, before `present` shapes it (the tests call their rows through here)."""
    ids = call.ids
    if operation.takes_seats:
        token = call.header(QUEUE_TURN_HEADER) or None
        turn_required(event_id=ids["event_id"], user_id=user.pk, token=token)
    work = operation.work(call)
    with seat_changes(Via.ONLINE):
        if isinstance(work, Ask):
            return best_hold(
                user=user, event_id=ids["event_id"], wish=work.wish, address=work.address
            )
        if operation.hot_seat and (refused := refusal(user_id=user.pk, **ids)):
            raise refused
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

    return type(operation.name, (OperationApi,), {"operation": operation, "post": post})


# (route under /api/, view) of each booking call, for urls.py.
BOOKING_ROUTES = [(operation.route, operation_view(operation)) for operation in BOOKING_OPERATIONS]
