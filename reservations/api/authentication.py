from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication

from .errors import CsrfFailed


class CsrfSessionAuthentication(SessionAuthentication):
    """Session authentication whose CSRF failure carries the API's `csrf_failed` code."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except Exception as exc:  # DRF raises PermissionDenied("CSRF Failed: ...")
            raise CsrfFailed() from exc


class CsrfSessionScheme(OpenApiAuthenticationExtension):
    """Tells the OpenAPI document that the session scheme is Django's cookie session."""

    target_class = "reservations.api.authentication.CsrfSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
