from django.apps import AppConfig
from django.conf import settings


class RealtimeConfig(AppConfig):
    """Realtime hears of reservations; reservations never imports realtime (import-linter
    checks it: `make lint`). This is where the two meet."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "realtime"

    def ready(self):
        from reservations.health import check_register
        from reservations.live_seats import live_maps_register, live_seats_register
        from reservations.redis_primary import answers
        from reservations.signals import (
            bookings_changed,
            door_changed,
            family_revoked,
            queue_changed,
            seats_changed,
        )

        from .broadcast import (
            on_bookings_changed,
            on_door_changed,
            on_family_revoked,
            on_queue_changed,
            on_seats_changed,
        )
        from .hub_live_maps import HubLiveMaps, category_counts, seat_taken_by_other

        seats_changed.connect(on_seats_changed, dispatch_uid="realtime.broadcast")
        queue_changed.connect(on_queue_changed, dispatch_uid="realtime.broadcast.queue")
        family_revoked.connect(on_family_revoked, dispatch_uid="realtime.broadcast.sign_outs")
        bookings_changed.connect(on_bookings_changed, dispatch_uid="realtime.accounts")
        door_changed.connect(on_door_changed, dispatch_uid="realtime.broadcast.door")
        # The in-memory layer cannot be down; the Redis one is when its primary does not answer.
        check_register("channel_layer", lambda: not settings.REDIS_URL or answers())
        live_seats_register(seat_taken_by_other, category_counts)
        live_maps_register(HubLiveMaps())
