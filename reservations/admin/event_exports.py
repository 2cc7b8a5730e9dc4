"""An event's exports from its admin page (reservations/exports.py): its sales and its ledger,
as CSV or XLSX, for staff with the `reservations.export_event` permission (403 without)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from ..exports import FORMATS, WHAT, export_response
from ..models import Event

PERMISSION = "reservations.export_event"


class EventExports:
    """The export links on an event's change page, and the view they call."""

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [
            path("<int:event_id>/export/<str:what>.<str:format>", export, name="event_export"),
            *super().get_urls(),
        ]

    def export_view(self, request, event_id: int, what: str, format: str):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        if what not in WHAT or format not in FORMATS:
            raise Http404("No such export.")
        if not Event.objects.filter(pk=event_id).exists():
            raise Http404("No such event.")
        return export_response(event_id, what, format)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**(extra_context or {}), "can_export": request.user.has_perm(PERMISSION)}
        return super().change_view(request, object_id, form_url, context)
