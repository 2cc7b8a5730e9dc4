"""Venue layouts: uploaded as a file (docs/LAYOUT.md), events made on them."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import AdminErrorList
from django.template.defaultfilters import filesizeformat

from ..api.request_bodies import BODY_REFUSED_HEADER
from ..models import VenueLayout
from ..services.venues import layout_create
from ..venues.layout_file import LayoutError, parse_layout


class VenueLayoutUploadForm(forms.ModelForm):
    file = forms.FileField(help_text="A layout file (docs/LAYOUT.md).")

    class Meta:
        model = VenueLayout
        fields = []

    def clean_file(self):
        try:
            self.spec = parse_layout(self.cleaned_data["file"].read())
        except LayoutError as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        return self.cleaned_data["file"]


@admin.register(VenueLayout)
class VenueLayoutAdmin(admin.ModelAdmin):
    """Rooms come from layout files (checked whole before anything is written)."""

    list_display = ["name", "seat_count", "created_at"]
    readonly_fields = ["name", "width", "height", "categories", "shapes", "created_at"]

    @admin.display(description="seats")
    def seat_count(self, layout):
        return layout.seats.count()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = VenueLayoutUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["file"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def add_view(self, request, form_url="", extra_context=None):
        """The upload form; when the server or the proxy refused an upload over its limit
        unread (api/request_bodies.py), the same form with that error on its file field."""
        response = super().add_view(request, form_url, extra_context)
        limit = request.headers.get(BODY_REFUSED_HEADER.decode())
        if limit is None or not hasattr(response, "context_data"):
            return response
        refused = VenueLayoutUploadForm(data={}, files={})
        refused.is_valid()
        refused.errors["file"] = refused.error_class(
            [
                f"The upload is over {filesizeformat(int(limit) if limit.isdigit() else 0)}"
                " (LAYOUT_UPLOAD_MAX_BYTES), so it was not read: choose a smaller file."
            ]
        )
        response.context_data["adminform"].form = refused
        response.context_data["errors"] = AdminErrorList(refused, [])
        response.status_code = 413
        return response

    def save_model(self, request, obj, form, change):
        if change:
            return
        layout = layout_create(spec=form.spec)
        obj.pk, obj.created_at = layout.pk, layout.created_at
