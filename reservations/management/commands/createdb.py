from django.core.management.base import BaseCommand
from django.db import connections

from reservations.database_presence import database_created


class Command(BaseCommand):
    help = "Create the PostgreSQL database DATABASE_URL names, when it does not exist."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="the alias in DATABASES")

    def handle(self, *args, database="default", **options):
        name = connections[database].settings_dict["NAME"]
        if database_created(database):
            self.stdout.write(f"Created the database {name}.")
        else:
            self.stdout.write(f"The database {name} is there (or is not PostgreSQL's).")
