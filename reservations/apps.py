from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reservations"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401  (check --deploy: mail that reaches buyers)
        from .api import login_limits  # noqa: F401  (counts failed logins: user_login_failed)
        from .health import check_register, database_ok
        from .ledger.context import context_function_register
        from .metrics import multiprocess_dir, multiprocess_dir_ok

        check_register("database", database_ok)
        connection_created.connect(context_function_register)
        if multiprocess_dir() is not None:
            check_register("metrics", multiprocess_dir_ok)
