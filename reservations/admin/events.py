"""Events with their seats, categories and a seat map's counts at a glance. An event is deleted
only while none of its seats is held or sold (services/event_deletion.py): otherwise the delete
page and "Delete selected events" refuse it with the reason."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from .. import services
from ..models import Event, EventStaff, PriceCategory, Seat, WebhookDelivery
from ..rules import free_q, live_lock_q
from ..services.categories import category_price_set
from ..services.event_deletion import event_deletion_refusals, events_delete
from ..services.map_version import map_version_bump
from ..services.venues import event_create_on_layout
from .event_exports import EventExports
from .staff_changes import StaffChanges


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    fields = ["label", "section", "row", "number", "category", "price", "status", "blocked"]
    readonly_fields = fields
    show_change_link = False
    max_num = 0
    can_delete = False


# An event's own fields, and the size of a grid for a new event sold without a layout.
EVENT_FIELDS = ["name", "venue", "description", "starts_at", "layout", "orphan_mode", "currency"]
GRID_FIELDS = ["rows", "seats_per_row", "sections", "price"]


class EventForm(forms.ModelForm):
    """An event's own fields; a currency left empty is the model's (EUR)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "currency" in self.fields:
            self.fields["currency"].required = False

    def clean_currency(self):
        return self.cleaned_data.get("currency") or Event._meta.get_field("currency").default


class EventCreateForm(EventForm):
    """An event sold in a venue layout (its seats and categories copied from it), or a grid."""

    rows = forms.IntegerField(min_value=1, max_value=200, initial=10, required=False)
    seats_per_row = forms.IntegerField(min_value=1, max_value=500, initial=20, required=False)
    sections = forms.IntegerField(min_value=1, max_value=20, initial=1, required=False)
    price = forms.DecimalField(
        min_value=Decimal("0"),
        max_digits=10,  # the seats' and the category's prices: DecimalField(max_digits=10)
        decimal_places=2,
        initial=Decimal("50.00"),
        required=False,
    )

    class Meta:
        model = Event
        fields = EVENT_FIELDS
        help_texts = {"layout": "A room to sell in; leave empty for a grid of the size below."}

    def clean(self):
        data = super().clean()
        if data.get("layout"):
            return data
        for field in GRID_FIELDS:
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


class EventStaffInline(admin.TabularInline):
    """The event's own staff: a console role on this event only (roles.py)."""

    model = EventStaff
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name_plural = "staff of this event (a console role on it alone)"


@admin.register(Event)
class EventAdmin(EventExports, StaffChanges, admin.ModelAdmin):
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
        kwargs["form"] = EventCreateForm if obj is None else EventForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        later = [
            "purchase_limit",
            "holds_need_verified_email",
            "holds_limited_per_network",
            "paid_with",
            "pay_window_seconds",
        ]
        return [*EVENT_FIELDS, *(GRID_FIELDS if obj is None else later)]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Its seats were made from the layout; its money is told in its currency once booked.
        return ["layout", *(["currency"] if obj.reservations.exists() else [])]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return (
            [PriceCategoryInline, EventStaffInline, SeatInline]
            if obj.seats.count() <= 2000
            else [PriceCategoryInline, EventStaffInline]
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

    def get_deleted_objects(self, objs, request):
        """Django's list of what goes with the events, and what keeps them: their held and sold
        seats beside the cancelled reservations that name them. The delete page and the action
        call this in the transaction that deletes, so the seat rows stay locked till then."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Never deleted alone, but with their event: its seats, and the webhook deliveries of
        # its messages (a log nobody may trim by hand).
        perms_needed -= {Seat._meta.verbose_name, WebhookDelivery._meta.verbose_name}
        refusals = event_deletion_refusals(event_ids=[event.pk for event in objs])
        return deleted, counts, perms_needed, [*refusals.values(), *protected]

    def delete_model(self, request, obj):
        events_delete(event_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        events_delete(event_ids=list(queryset.values_list("pk", flat=True)))

    def response_action(self, request, queryset):
        with transaction.atomic():  # "Delete selected": its check and its delete, as one
            return super().response_action(request, queryset)

    def save_model(self, request, obj, form, change):
        if change:  # the form's fields only: map_version grows in other transactions meanwhile
            obj.save(update_fields=form.changed_data)
            return
        data = form.cleaned_data
        shared = {k: data[k] for k in ("name", "venue", "description", "starts_at")}
        if data.get("layout"):
            event = event_create_on_layout(
                layout=data["layout"], orphan_mode=data["orphan_mode"], **shared
            )
        else:
            event = services.event_create_with_seats(**shared, **{k: data[k] for k in GRID_FIELDS})
        rules = {k: data[k] for k in ("currency", "orphan_mode")}  # the services' defaults else
        Event.objects.filter(pk=event.pk).update(**rules)
        obj.pk, obj.created_at = event.pk, event.created_at
