import threading

from django.core.management.base import BaseCommand, CommandError

from reservations.database_presence import missing_database_message
from reservations.webhooks.worker import Worker


class Command(BaseCommand):
    help = (
        "Send the signed webhooks of the outbox, retrying for a day (docs/LEDGER.md "
        '"Webhooks"); runs until stopped.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="send what is due now, wait for the answers, exit"
        )

    def handle(self, *args, once=False, **options):
        if message := missing_database_message():
            raise CommandError(message)
        worker = Worker()
        if once:
            worker.drain()
            return
        worker.run_forever(threading.Event())
