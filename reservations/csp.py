"""The Content-Security-Policy of every page (the policy itself: CONTENT_SECURITY_POLICY in
config/settings.py).

django-csp writes the header; this adds what a static policy cannot know: the host the page
was asked for, as the ws:/wss: origin of the seat map's socket. CSP 3 browsers count that as
'self' already; older ones (Safari before 15.4) would block the socket without it.

JSON answers go without: a policy governs documents and scripts, not data, and the API's
answers stay byte for byte those of the fast path (reservations/api/fast.py).
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/json"):
            response._csp_exempt = True
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        socket_origin = _socket_origin(request)
        if socket_origin:
            update = dict(parts.update or {})
            update["connect-src"] = [*update.get("connect-src", []), socket_origin]
            parts.update = update
        return parts


def _socket_origin(request) -> str | None:
    try:
        host = request.get_host()
    except DisallowedHost:
        # WhiteNoise answers before CommonMiddleware checks the host: name no such host.
        return None
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"
