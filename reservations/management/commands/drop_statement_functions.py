from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reservations.services.statement_functions import functions_drop


class Command(BaseCommand):
    help = (
        "Drop the PL/pgSQL functions the fast path's statements run through behind a transaction "
        "pooler (DATABASE_POOLER=transaction); running servers make those they use again."
    )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Statement functions are PostgreSQL's; this database has none.")
        with connection.cursor() as cursor:
            dropped = functions_drop(cursor)
        self.stdout.write(f"{dropped} statement functions dropped.")
