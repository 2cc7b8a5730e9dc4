"""Admin: events with their seats and a seat map's counts at a glance, reservations.

Seat state is read-only here: holds and bookings change only through the services, so the
admin cannot sell a seat around the row locks (cancel a reservation with the action, which
calls the service). Users follow reservations/users.py: names by its rules, and accounts are
deactivated (releasing their holds), never deleted.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminErrorList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from . import exceptions as services_errors
from . import services, users
from .api.request_bodies import BODY_REFUSED_HEADER
from .models import Event, PriceCategory, Reservation, ReservedSeat, Seat, VenueLayout
from .rules import free_q, live_lock_q
from .services.blocking import seats_block, seats_unblock
from .services.categories import category_price_set, seats_category_set
from .services.map_version import map_version_bump
from .services.venues import event_create_on_layout, layout_create
from .venues.layout_file import LayoutError, parse_layout


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    fields = ["label", "section", "row", "number", "category", "price", "status", "blocked"]
    readonly_fields = fields
    show_change_link = False
    max_num = 0
    can_delete = False


class EventCreateForm(forms.ModelForm):
    """An event sold in a venue layout (its seats and categories copied from it), or a grid."""

    rows = forms.IntegerField(min_value=1, max_value=200, initial=10, required=False)
    seats_per_row = forms.IntegerField(min_value=1, max_value=500, initial=20, required=False)
    sections = forms.IntegerField(min_value=1, max_value=20, initial=1, required=False)
    price = forms.DecimalField(
        min_value=Decimal("0"), decimal_places=2, initial=Decimal("50.00"), required=False
    )

    class Meta:
        model = Event
        fields = ["name", "venue", "description", "starts_at", "layout", "orphan_mode"]
        help_texts = {"layout": "A room to sell in; leave empty for a grid of the size below."}

    def clean(self):
        data = super().clean()
        if data.get("layout"):
            return data
        for field in ("rows", "seats_per_row", "sections", "price"):
            if data.get(field) is None:
                self.add_error(field, "A grid needs this (or choose a layout).")
        if data.get("sections") and data.get("rows") and data["sections"] > data["rows"]:
            raise forms.ValidationError("There cannot be more sections than rows.")
        return data


class PriceCategoryInline(admin.TabularInline):
    """A category's price changes through the service, which changes its seats' prices with it
    (never a booking's)."""

    model = PriceCategory
    extra = 0
    fields = ["name", "price", "colour", "position"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "venue", "starts_at", "seats_total", "available", "held", "booked"]
    search_fields = ["name", "venue"]
    date_hierarchy = "starts_at"

    def get_queryset(self, request):
        # By the effective status (rules.py): a lock that has ended counts as available,
        # whether or not the sweeper has turned its row back yet.
        now = timezone.now()
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_total=Count("seats"),
                n_available=Count("seats", filter=free_q(now, prefix="seats__")),
                n_held=Count("seats", filter=live_lock_q(now, prefix="seats__")),
                n_booked=Count("seats", filter=Q(seats__status=Seat.Status.RESERVED)),
            )
        )

    @admin.display(description="seats", ordering="n_total")
    def seats_total(self, event):
        return event.n_total

    @admin.display(description="available", ordering="n_available")
    def available(self, event):
        return event.n_available

    @admin.display(description="held", ordering="n_held")
    def held(self, event):
        return event.n_held

    @admin.display(description="booked", ordering="n_booked")
    def booked(self, event):
        return event.n_booked

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = EventCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "name",
                "venue",
                "description",
                "starts_at",
                "layout",
                "orphan_mode",
                "rows",
                "seats_per_row",
                "sections",
                "price",
            ]
        return ["name", "venue", "description", "starts_at", "layout", "orphan_mode"]

    def get_readonly_fields(self, request, obj=None):
        return ["layout"] if obj is not None else []  # its seats were made from it

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return (
            [PriceCategoryInline, SeatInline]
            if obj.seats.count() <= 2000
            else [PriceCategoryInline]
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not PriceCategory:
            return super().save_formset(request, form, formset, change)
        repriced = {
            f.instance.pk: f.cleaned_data["price"]
            for f in formset.forms
            if f.instance.pk and "price" in f.changed_data and not f.cleaned_data.get("DELETE")
        }
        for f in formset.forms:
            if f.instance.pk in repriced:
                f.instance.price = PriceCategory.objects.get(pk=f.instance.pk).price
        super().save_formset(request, form, formset, change)
        for category_id, price in repriced.items():
            category_price_set(category_id=category_id, price=price)
        if formset.has_changed():  # a name, colour or order the seat map shows
            map_version_bump(event_id=form.instance.pk)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        if form.cleaned_data.get("layout"):
            event = event_create_on_layout(
                layout=form.cleaned_data["layout"],
                name=form.cleaned_data["name"],
                venue=form.cleaned_data["venue"],
                description=form.cleaned_data["description"],
                starts_at=form.cleaned_data["starts_at"],
                orphan_mode=form.cleaned_data["orphan_mode"],
            )
            obj.pk, obj.created_at = event.pk, event.created_at
            return
        event = services.event_create_with_seats(
            name=form.cleaned_data["name"],
            venue=form.cleaned_data["venue"],
            description=form.cleaned_data["description"],
            starts_at=form.cleaned_data["starts_at"],
            rows=form.cleaned_data["rows"],
            seats_per_row=form.cleaned_data["seats_per_row"],
            sections=form.cleaned_data["sections"],
            price=form.cleaned_data["price"],
        )
        obj.pk = event.pk
        obj.created_at = event.created_at


class SeatActionForm(admin.helpers.ActionForm):
    category = forms.ModelChoiceField(
        PriceCategory.objects.select_related("event"),
        required=False,
        help_text="for 'Put into category': one of the seats' event's categories",
    )
    reason = forms.CharField(required=False, help_text="for 'Block': why (staff only)")


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


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    """Seats are chosen by event, section and row filters; categories and blocks are set with
    the actions, which go through the services (row locks, broadcasts)."""

    list_display = ["label", "event", "section", "row", "category", "price", "status", "blocked"]
    list_filter = ["event", "section", "row", "status", "blocked", "accessible", "companion"]
    search_fields = ["label"]
    list_select_related = ["event", "category"]
    fields = [
        "event",
        "label",
        "section",
        "row",
        "number",
        "category",
        "price",
        "status",
        "locked_until",
        "version",
        "accessible",
        "companion",
        "restricted_view",
        "aisle",
        "blocked",
        "blocked_reason",
        "x",
        "y",
        "rotation",
    ]
    readonly_fields = [f for f in fields if f != "blocked_reason"]
    action_form = SeatActionForm
    actions = ["block_selected", "unblock_selected", "categorise_selected"]

    def has_add_permission(self, request):
        return False  # seats come with their event

    @staticmethod
    def _by_event(queryset) -> dict[int, list[int]]:
        grouped: dict[int, list[int]] = {}
        for seat_id, event_id in queryset.values_list("id", "event_id"):
            grouped.setdefault(event_id, []).append(seat_id)
        return grouped

    @admin.action(description="Block the selected seats (never on sale)")
    def block_selected(self, request, queryset):
        reason = request.POST.get("reason", "")
        try:
            for event_id, seat_ids in self._by_event(queryset).items():
                seats_block(event_id=event_id, seat_ids=seat_ids, reason=reason)
        except services_errors.SeatUnavailable as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return
        self.message_user(request, "The selected seats are blocked.", messages.SUCCESS)

    @admin.action(description="Put the selected blocked seats back on sale")
    def unblock_selected(self, request, queryset):
        for event_id, seat_ids in self._by_event(queryset).items():
            seats_unblock(event_id=event_id, seat_ids=seat_ids)
        self.message_user(request, "The selected seats are on sale.", messages.SUCCESS)

    @admin.action(description="Put the selected seats into the chosen category")
    def categorise_selected(self, request, queryset):
        category = PriceCategory.objects.filter(pk=request.POST.get("category") or None).first()
        grouped = self._by_event(queryset)
        if category is None or set(grouped) != {category.event_id}:
            self.message_user(
                request, "Choose a category of the selected seats' event.", messages.ERROR
            )
            return
        moved = seats_category_set(
            event_id=category.event_id, category_id=category.pk, seat_ids=grouped[category.event_id]
        )
        self.message_user(request, f"{moved} seats are now {category.name}.", messages.SUCCESS)


class ReservedSeatInline(admin.TabularInline):
    model = ReservedSeat
    extra = 0
    fields = ["seat", "price", "is_active"]
    readonly_fields = fields
    can_delete = False


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "event", "status", "total_price", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["user", "event"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "event", "status", "total_price", "created_at", "cancelled_at"]
    inlines = [ReservedSeatInline]
    actions = ["cancel_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Cancel the selected reservations (frees their seats)")
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for reservation in queryset.filter(status=Reservation.Status.CONFIRMED):
            services.reservation_cancel(user=reservation.user, reservation_id=reservation.pk)
            cancelled += 1
        self.message_user(request, f"{cancelled} reservations cancelled.", messages.SUCCESS)


def _clean_username(form) -> str:
    name = users.username_validate(form.cleaned_data["username"])
    if users.username_taken(name, exclude_pk=form.instance.pk):
        raise forms.ValidationError("That username is taken.")
    return name


class AccountCreationForm(AdminUserCreationForm):
    clean_username = _clean_username


class AccountChangeForm(UserChangeForm):
    clean_username = _clean_username


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AccountAdmin(UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    actions = ["deactivate_selected"]

    def has_delete_permission(self, request, obj=None):
        return False  # deleting would strand the account's holds and bookings: deactivate it

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True  # the service ends it, with its holds, under its row lock
        super().save_model(request, obj, form, change)
        if deactivating:
            users.user_deactivate(user=obj)

    @admin.action(description="Deactivate the selected users (releases their holds)")
    def deactivate_selected(self, request, queryset):
        for user in queryset.filter(is_active=True):
            users.user_deactivate(user=user)
        self.message_user(request, "The selected users are deactivated.", messages.SUCCESS)
