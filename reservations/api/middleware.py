"""Middleware of the API.

Django serves HTTP through its WSGI handler on a pool of threads (config/asgi.py), so these
run sync, in the request's thread.
"""

from django.conf import settings

from .errors import exception_response, too_large_response

_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ApiErrorMiddleware:
    """Keeps every answer under /api/ in the JSON error shape, also outside DRF's views.

    Oversized bodies are refused before anything parses them: by the declared length, or, for a
    chunked body that declares none, by what actually arrived.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._refuse_oversized(request) or self.get_response(request)

    @staticmethod
    def _refuse_oversized(request):
        if not request.path.startswith("/api/"):
            return None
        limit = settings.API_MAX_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return too_large_response()
        # The body was read whole on the event loop before this thread got the request
        # (request_bodies.BufferedBodies): reading it here waits on no client.
        if request.method in _UNSAFE_METHODS and not declared and len(request.body) > limit:
            return too_large_response()
        return None

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return exception_response(exception)
        return None
