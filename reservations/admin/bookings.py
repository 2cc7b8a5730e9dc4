"""Reservations, cancelled through the service."""

from django.contrib import admin, messages

from .. import services
from ..models import Reservation, ReservedSeat


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
