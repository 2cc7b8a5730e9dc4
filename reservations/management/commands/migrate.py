"""Django's `migrate`, which first says in one line when DATABASE_URL's database does not exist
(reservations/database_presence.py) instead of timing out on its connection pool."""

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate

from reservations.database_presence import missing_database_message


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        if message := missing_database_message(options["database"]):
            raise CommandError(message)
        return super().handle(*args, **options)
