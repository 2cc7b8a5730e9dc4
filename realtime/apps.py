from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    """Realtime hears of reservations; reservations never imports realtime (import-linter
    checks it: `make lint`). This is where the two meet."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "realtime"

    def ready(self):
        from reservations.health import check_register
        from reservations.live_seats import live_maps_register, live_seats_register
        from reservations.signals import (
            bookings_changed,
            family_revoked,
            queue_changed,
            seats_changed,
        )

        from .broadcast import (
            on_bookings_changed,
            on_family_revoked,
            on_queue_changed,
            on_seats_changed,
        )
        from .health import channel_layer_ok, shard_checks
        from .hub_live_maps import HubLiveMaps, category_counts, seat_taken_by_other

        seats_changed.connect(on_seats_changed, dispatch_uid="realtime.broadcast")
        queue_changed.connect(on_queue_changed, dispatch_uid="realtime.broadcast.queue")
        family_revoked.connect(on_family_revoked, dispatch_uid="realtime.broadcast.sign_outs")
        bookings_changed.connect(on_bookings_changed, dispatch_uid="realtime.accounts")
        check_register("channel_layer", channel_layer_ok)
        for name, check in shard_checks():
            check_register(name, check)
        live_seats_register(seat_taken_by_other, category_counts)
        live_maps_register(HubLiveMaps())
