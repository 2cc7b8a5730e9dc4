from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reservations"

    def ready(self):
        from .api import login_limits  # noqa: F401  (counts failed logins: user_login_failed)
        from .health import check_register, database_ok

        check_register("database", database_ok)
