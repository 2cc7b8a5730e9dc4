"""Middleware of the API, written to run in both modes.

Under ASGI, one sync-only middleware in the chain makes Django hop every request from the
event loop to a thread and back (async_to_sync) before the view's own hop; under load those
hops wait on a busy loop. Every middleware here is async-capable, so a request crosses to a
thread once, for the view.
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware

from .errors import exception_response, too_large_response

_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ApiErrorMiddleware:
    """Keeps every answer under /api/ in the JSON error shape, also outside DRF's views.

    Oversized bodies are refused before anything reads them: by the declared length, or, for a
    chunked body that declares none, by what actually arrived.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        refusal = self._refuse_oversized(request)
        return refusal or self.get_response(request)

    async def _acall(self, request):
        refusal = self._refuse_oversized(request)
        return refusal or await self.get_response(request)

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
        # Under ASGI the body is already spooled; reading it here costs no I/O.
        if request.method in _UNSAFE_METHODS and not declared and len(request.body) > limit:
            return too_large_response()
        return None

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return exception_response(exception)
        return None


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise (static files and the built React app), async-capable.

    The lookup is a dict read and the answer a file response, both safe on the event loop.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response=None, settings=settings):
        super().__init__(get_response, settings)
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request):
        static_file = self._static_file(request)
        if static_file is not None:
            return self.serve(static_file, request)
        return await self.get_response(request)

    def _static_file(self, request):
        if self.autorefresh:
            return self.find_file(request.path_info)
        return self.files.get(request.path_info)
