from rest_framework.authentication import SessionAuthentication

from .errors import CsrfFailed


class CsrfSessionAuthentication(SessionAuthentication):
    """Session authentication whose CSRF failure carries the API's `csrf_failed` code."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except Exception as exc:  # DRF raises PermissionDenied("CSRF Failed: ...")
            raise CsrfFailed() from exc
