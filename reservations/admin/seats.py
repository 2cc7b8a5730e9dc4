"""Seats: read-only states, blocked and priced through the services; never deleted here (a seat
comes and goes with its event: one taken off sale is blocked, which can be undone)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.utils import timezone

from .. import exceptions as services_errors
from ..ledger.models import SeatChange
from ..models import Event, PriceCategory, Seat
from ..services.blocking import seat_ids_by_event, seats_block, seats_release
from ..services.categories import seats_category_set
from .history import history_table
from .staff_changes import StaffChanges


class EventCategoryField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        return f"{category.event.name}: {category}"  # two events' "Gold (95.00)" told apart


class SeatActionForm(admin.helpers.ActionForm):
    category = EventCategoryField(
        PriceCategory.objects.select_related("event").order_by("event__starts_at", "position"),
        required=False,
        help_text="for 'Put into category': one of the seats' event's categories",
    )
    reason = forms.CharField(required=False, help_text="for 'Block': why (staff only)")


def _next_event() -> Event | None:
    """The event that starts next, or the last one when all have started."""
    upcoming = Event.objects.filter(starts_at__gte=timezone.now()).order_by("starts_at", "id")
    return upcoming.first() or Event.objects.order_by("-starts_at", "-id").first()


@admin.register(Seat)
class SeatAdmin(StaffChanges, admin.ModelAdmin):
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
        "held_until",
        "version",
        "accessible",
        "companion",
        "restricted_view",
        "aisle",
        "blocked",
        "off_sale",
        "blocked_purpose",
        "blocked_reason",
        "blocked_until",
        "x",
        "y",
        "rotation",
        "history",
    ]
    readonly_fields = [f for f in fields if f != "blocked_reason"]
    action_form = SeatActionForm
    actions = ["block_selected", "unblock_selected", "categorise_selected"]

    @admin.display(description="history (newest first)")
    def history(self, seat):
        return history_table(SeatChange.objects.filter(event_id=seat.event_id, seat_id=seat.pk))

    def has_add_permission(self, request):
        return False  # seats come with their event

    def has_delete_permission(self, request, obj=None):
        return False  # nor go without it: a deleted seat is gone from its holder and watchers

    def changelist_view(self, request, extra_context=None):
        """One event's seats at a time: the list of every event's (42,264 in the demo) opens on
        the next event's (any other is a filter away)."""
        scoped = "event__id__exact" in request.GET or request.method != "GET"
        if not scoped and (first := _next_event()) is not None:
            query = request.GET.copy()
            query["event__id__exact"] = str(first.pk)
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        obj.save(update_fields=["blocked_reason"])  # the state it read may have changed since

    @admin.action(description="Block the selected seats (never on sale)", permissions=["change"])
    def block_selected(self, request, queryset):
        reason = request.POST.get("reason", "")
        blocked, already = 0, 0
        for event_id, seat_ids in seat_ids_by_event(queryset).items():
            try:
                changed = seats_block(event_id=event_id, seat_ids=seat_ids, reason=reason)
            except services_errors.SeatUnavailable as refusal:
                event = Event.objects.get(pk=event_id)
                self.message_user(
                    request,
                    f"{event.name}: nothing blocked of {len(seat_ids)} selected"
                    f" seat{pluralize(len(seat_ids))}. {refusal.message}",
                    messages.ERROR,
                )
                continue
            blocked += len(changed)
            already += len(seat_ids) - len(changed)
        self._counted(
            request, f"{blocked} seat{pluralize(blocked)} blocked", already, "blocked already"
        )

    @admin.action(description="Put the selected blocked seats back on sale", permissions=["change"])
    def unblock_selected(self, request, queryset):
        freed, other = 0, 0
        for event_id, seat_ids in seat_ids_by_event(queryset).items():
            changed = seats_release(event_id=event_id, seat_ids=seat_ids)
            freed += len(changed)
            other += len(seat_ids) - len(changed)
        self._counted(
            request, f"{freed} seat{pluralize(freed)} put back on sale", other, "not blocked"
        )

    def _counted(self, request, done: str, untouched: int, why: str) -> None:
        """What an action did, then what it left and why: "3 seats blocked; 2 were blocked
        already and were left as they are." A warning when it left any."""
        if untouched:
            was, they_are = pluralize(untouched, "was,were"), pluralize(untouched, "it is,they are")
            done += f"; {untouched} {was} {why} and {was} left as {they_are}"
        self.message_user(request, f"{done}.", messages.WARNING if untouched else messages.SUCCESS)

    @admin.action(
        description="Put the selected seats into the chosen category",
        permissions=["change"],
    )
    def categorise_selected(self, request, queryset):
        category = PriceCategory.objects.filter(pk=request.POST.get("category") or None).first()
        grouped = seat_ids_by_event(queryset)
        if category is None or set(grouped) != {category.event_id}:
            self.message_user(
                request, "Choose a category of the selected seats' event.", messages.ERROR
            )
            return
        seat_ids = grouped[category.event_id]
        moved = seats_category_set(
            event_id=category.event_id, category_id=category.pk, seat_ids=seat_ids
        )
        self._counted(
            request,
            f"{moved} seat{pluralize(moved)} put into {category.name}",
            len(seat_ids) - moved,
            f"in {category.name} already",
        )
