"""Paying for an order (API.md "Paying"): the buyer's "pay now", and a provider's signed
notifications. Thin: payments/settling.py decides."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations.exceptions import PaymentNotificationRefused
from reservations.payments.providers import NotificationRefused
from reservations.payments.settling import PayNow, notified, pay_now

from ..wire_values import iso


class PayOutput(serializers.Serializer):
    reservation = serializers.IntegerField()
    provider = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    instructions = serializers.CharField(allow_null=True)
    pay_by = serializers.DateTimeField()


def pay_json(now: PayNow) -> dict:
    return {
        "reservation": now.order.id,
        "provider": now.attempt.provider,
        "url": now.attempt.url or None,
        "instructions": now.instructions or None,
        "pay_by": iso(now.order.pay_by),
    }


class PayApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=PayOutput)
    def post(self, request, reservation_id: int):
        started = pay_now(
            user_id=request.user.pk,
            reservation_id=reservation_id,
            return_url=request.build_absolute_uri(f"/reservations/{reservation_id}"),
        )
        return Response(pay_json(started))


class StripeNotificationApi(APIView):
    """Stripe's webhook: anyone may send, only Stripe's signature is believed."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={200: None})
    def post(self, request):
        try:
            notified("stripe", request.body, request.headers.get("Stripe-Signature", ""))
        except NotificationRefused:  # why (the library's text) is not for the caller
            raise PaymentNotificationRefused("Not a notification from Stripe.") from None
        return Response({"received": True})
