from django.core.management.base import BaseCommand, CommandError

from reservations.database_presence import missing_database_message
from reservations.services import locks_expire, sweep_forever


class Command(BaseCommand):
    help = "Turn ended seat locks back to available and tell the watchers (the expiry sweeper)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="sweep once and exit")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between sweeps")

    def handle(self, *args, once=False, interval=0.5, **options):
        if interval <= 0:  # a sweeper with no pause would spin
            raise CommandError(f"--interval must be above 0 seconds, not {interval}")
        if message := missing_database_message():
            raise CommandError(message)
        if once:
            self.stdout.write(f"{len(locks_expire())} locks expired.")
            return
        sweep_forever(interval=interval)
