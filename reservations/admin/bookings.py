"""Reservations: read-only, cancelled through the service, deleted only once cancelled.

A confirmed reservation is what its buyer holds their seats by: deleting it would leave the
seats sold to nobody and the booking gone from the buyer's list, so the delete page and
"Delete selected reservations" refuse it and say to cancel it, which frees its seats and shows
the buyer it cancelled. An order awaiting payment holds its seats too, until it is paid or ends
(payments/settling.py): neither cancelled nor deleted here. A cancelled one holds nothing and
may go.
"""

from django.contrib import admin, messages
from django.template.defaultfilters import pluralize

from ..exceptions import AlreadyCancelled, AwaitingPayment
from ..ledger.models import SeatChange, Via
from ..models import Reservation, ReservedSeat
from ..services.booking_changes import reservation_refund
from .history import history_table
from .staff_changes import StaffChanges

# A cancel is a refund of the whole booking: the console's permission for refunds (roles.py).
CANCEL_PERMISSION = "reservations.change_bookings"
# A booking that holds its seats (sold, or paying: kept for it until its window ends), and what
# ends it before it may be deleted.
UNTIL_IT_ENDS = {
    Reservation.Status.CONFIRMED: "cancel it with 'Cancel the selected reservations', which puts"
    " them back on sale",
    Reservation.Status.AWAITING_PAYMENT: "it is awaiting payment, and ends when it is paid, when"
    " its buyer cancels it or when its pay window ends (its seats then go back on sale)",
}


class ReservedSeatInline(admin.TabularInline):
    model = ReservedSeat
    extra = 0
    fields = ["seat", "price", "is_active"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seat")  # each row shows its seat


@admin.register(Reservation)
class ReservationAdmin(StaffChanges, admin.ModelAdmin):
    list_display = ["id", "user", "event", "status", "total_price", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["user", "event"]
    search_fields = ["user__username"]
    readonly_fields = [
        "user",
        "event",
        "status",
        "total_price",
        "created_at",
        "cancelled_at",
        "history",
    ]
    inlines = [ReservedSeatInline]
    actions = ["cancel_selected"]

    @admin.display(description="history (newest first)")
    def history(self, reservation):
        """The changes that name it: its seats booked, and freed if it was cancelled. Found by
        its seats, through the ledger's index of each seat's story."""
        seat_ids = ReservedSeat.objects.filter(reservation=reservation).values("seat_id")
        return history_table(
            SeatChange.objects.filter(
                event_id=reservation.event_id, seat_id__in=seat_ids, reservation_id=reservation.pk
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a save would write back the status it read, over a cancel since

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        holding = [
            f"{reservation} of {reservation.user or reservation.buyer_name or 'a walk-in'} holds"
            f" its seats: {UNTIL_IT_ENDS[reservation.status]}, then delete it."
            for reservation in objs
            if reservation.status in UNTIL_IT_ENDS
        ]
        return deleted, counts, perms_needed, [*holding, *protected]

    def has_cancel_permission(self, request):
        return request.user.has_perm(CANCEL_PERMISSION)

    @admin.action(
        description="Cancel the selected reservations (frees their seats)",
        permissions=["cancel"],
    )
    def cancel_selected(self, request, queryset):
        cancelled, already, awaiting = [], 0, 0
        for reservation in queryset:
            try:  # as staff cancel from the console, so a box-office sale (no account) goes too
                reservation_refund(
                    staff_id=request.user.pk,
                    reservation_id=reservation.pk,
                    via=Via.ADMIN,
                )
                cancelled.append(reservation.pk)
            except AlreadyCancelled:
                already += 1
            except AwaitingPayment:
                awaiting += 1
        freed = ReservedSeat.objects.filter(reservation_id__in=cancelled).count()
        message = (
            f"{len(cancelled)} reservation{pluralize(len(cancelled))} cancelled,"
            f" {freed} seat{pluralize(freed)} back on sale"
        )
        if already:
            message += f"; {already} {pluralize(already, 'was,were')} cancelled already"
        if awaiting:
            message += (
                f"; {awaiting} awaiting payment {pluralize(awaiting, 'was,were')} left as"
                f" {pluralize(awaiting, 'it is,they are')} (each ends with its pay window, or"
                " its buyer cancels it)"
            )
        self.message_user(request, message + ".", messages.SUCCESS)
