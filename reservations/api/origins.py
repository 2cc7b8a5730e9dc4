"""Which web origins may call the routes a cookie alone authorises: the refresh cookie's refresh
and logout (browser_tokens.py, views.LogoutApi).

SameSite keeps the cookie off other sites' requests in today's browsers; this check does not
depend on it. A browser names the page's origin in `Origin` on every POST (same-origin ones
included), so a request that names another origin is refused: 403 `origin_not_allowed`. The
origins allowed are this server's own (the request's scheme and host), CORS_ALLOWED_ORIGINS (a
front end on another origin) and CSRF_TRUSTED_ORIGINS (the address a proxy is reached at, when
it passes on another Host). `Origin: null` (a sandboxed page, a redirect across sites) is refused.

A request without `Origin` is let through: browsers send one on every POST, so it does not come
from a page (curl, scripts, the load tester), and it carries no cookie a victim's browser added.
"""

from django.conf import settings
from rest_framework.permissions import BasePermission

from .errors import OriginNotAllowed


def origin_allowed(request) -> bool:
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return True
    own = f"{request.scheme}://{request.get_host()}"
    return origin in {own, *settings.CORS_ALLOWED_ORIGINS, *settings.CSRF_TRUSTED_ORIGINS}


class TrustedOrigin(BasePermission):
    """Refuses, with its own code, a request whose `Origin` is not one of ours."""

    def has_permission(self, request, view) -> bool:
        if not origin_allowed(request):
            raise OriginNotAllowed()
        return True
