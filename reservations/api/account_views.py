"""An account's e-mail address and its verification (API.md "E-mail verification"): add or
change it, have the link sent again, and the link's page's call. Parse, call, shape."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations.accounts import email_verification

from . import limit_windows
from .inputs import SeatActionInput, validated


class EmailInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class VerifyInput(serializers.Serializer):
    token = serializers.CharField(max_length=500)


_EMAIL_STATE = inline_serializer(
    "EmailState", {"email": serializers.EmailField(), "email_verified": serializers.BooleanField()}
)


def email_state(user) -> dict:
    return {"email": user.email, "email_verified": email_verification.email_verified(user)}


class VerificationMailThrottle(limit_windows.WindowThrottle):
    """Links sent to an account's address, per account (``EMAIL_VERIFICATION_RATE``): each is
    an e-mail in someone's inbox, maybe not the caller's."""

    def rules(self, request, view, now):
        who = f"u{request.user.pk}" if request.user.is_authenticated else None
        return limit_windows.one_window(
            "verification_mail", who, settings.EMAIL_VERIFICATION_RATE, now
        )


class EmailChangeApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [VerificationMailThrottle]

    @extend_schema(operation_id="me_email", request=EmailInput, responses={202: _EMAIL_STATE})
    def post(self, request):
        email = validated(EmailInput, request.data)["email"]
        email_verification.email_change(user=request.user, email=email)
        return Response(email_state(request.user), status=status.HTTP_202_ACCEPTED)


class VerificationResendApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [VerificationMailThrottle]

    @extend_schema(
        operation_id="me_email_resend", request=SeatActionInput, responses={202: _EMAIL_STATE}
    )
    def post(self, request):
        validated(SeatActionInput, request.data)
        email_verification.verification_resend(user=request.user)
        return Response(email_state(request.user), status=status.HTTP_202_ACCEPTED)


class EmailVerifyApi(APIView):
    """The link's page posts its token: no login needed (the link may be opened elsewhere)."""

    @extend_schema(
        operation_id="verify_email",
        request=VerifyInput,
        responses=inline_serializer(
            "EmailVerified",
            {
                "username": serializers.CharField(),
                "email": serializers.EmailField(),
                "email_verified": serializers.BooleanField(),
            },
        ),
    )
    def post(self, request):
        token = validated(VerifyInput, request.data)["token"]
        user = email_verification.email_verify(token=token)
        return Response({"username": user.username, **email_state(user)})
