"""GET /api/metrics/: the Prometheus exposition of reservations/metrics.py, written by
prometheus-client's own Django view (every process's sum in multiprocess mode), for the
scrapers metrics_access.py lets in."""

from prometheus_client.django import PrometheusDjangoView

from reservations.metrics import gone_processes_forgotten

from .errors import error_response
from .metrics_access import scrape_allowed


class MetricsApi(PrometheusDjangoView):
    http_method_names = ["get"]

    def dispatch(self, request, *args, **kwargs):
        if not scrape_allowed(request):
            return error_response(403, "forbidden", "Metrics are for the operator's scraper.")
        if request.method != "GET":
            return error_response(405, "method_not_allowed", "This route takes GET.")
        gone_processes_forgotten()
        return super().dispatch(request, *args, **kwargs)
