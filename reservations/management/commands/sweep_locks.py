import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from reservations.services import idempotency_keys_purge, locks_expire

logger = logging.getLogger("reservations.sweeper")


class Command(BaseCommand):
    help = "Turn ended seat locks back to available and tell the watchers (the expiry sweeper)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="sweep once and exit")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between sweeps")

    def handle(self, *args, once=False, interval=0.5, **options):
        if once:
            self.stdout.write(f"{len(locks_expire())} locks expired.")
            return
        last_purge = 0.0
        while True:
            try:
                close_old_connections()
                expired = locks_expire()
                if expired:
                    logger.info("expired %d locks", len(expired))
                if time.monotonic() - last_purge > 3600:
                    idempotency_keys_purge()
                    last_purge = time.monotonic()
            except Exception:
                logger.exception("sweep failed; retrying")
            time.sleep(interval)
