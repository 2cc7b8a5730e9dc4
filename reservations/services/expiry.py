"""The expiry sweeper: ended locks turned back to available, unpaid orders ended at their pay
window's end (payments/settling.py), seats kept back released at their time, old idempotency
keys and the refresh-token families whose last token has expired purged.

Expiry itself needs no sweeper (rules.py: an ended lock is available everywhere at once); the
sweep makes the rows say so and tells watchers, whose seat maps show the seat free again.
``sweep_forever`` is the one loop, run by the ``sweep_locks`` command (full stack: its own
process) and by the server in a thread of its own (embedded default: see config/asgi.py).
"""

import logging
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from ..booking import sql
from ..booking.bookings import seats_written
from ..booking.locking import transaction_settings_sent
from ..ledger.context import seat_changes
from ..ledger.models import Via
from ..models import IdempotencyKey, RefreshFamily, Seat
from ..payments.settling import attempts_close, refunds_send, windows_close
from ..rules import ended_lock_q
from .blocking import seats_release_due

logger = logging.getLogger("reservations.sweeper")

SWEEP_INTERVAL = 0.5
PURGE_INTERVAL = 3600.0
# API.md: an Idempotency-Key is kept at least 24 hours.
IDEMPOTENCY_KEY_AGE = timedelta(hours=48)


def locks_expire(*, now: datetime | None = None, batch_size: int = 500) -> list[Seat]:
    """Turn ended locks back to available (version + 1), one transaction per event.

    ``skip_locked`` lets two sweepers run at once without waiting on or double-counting each
    other: a row one sweeper has taken is skipped by the other, and the re-check under the lock
    (``held_until <= now``) drops a row that was taken again in the meantime.
    """
    now = now or timezone.now()
    expired: list[Seat] = []
    event_ids = (
        Seat.objects.filter(ended_lock_q(now))
        .order_by()
        .values_list("event_id", flat=True)
        .distinct()
    )
    for event_id in list(event_ids):
        while True:
            with seat_changes(Via.SWEEPER), transaction.atomic():
                transaction_settings_sent()
                seats = list(
                    Seat.objects.select_for_update(skip_locked=True)
                    .filter(ended_lock_q(now), event_id=event_id)
                    .order_by("id")[:batch_size]
                )
                seats_written(seats, sql.FREE, event_id=event_id)
            expired.extend(seats)
            if len(seats) < batch_size:
                break
    return expired


def idempotency_keys_purge(*, older_than: timedelta = IDEMPOTENCY_KEY_AGE) -> int:
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def refresh_families_purge(*, now: datetime | None = None) -> int:
    """Forget the logins whose current refresh token has expired (api/tokens.py): every token
    of such a family is refused by its own expiry, with or without its row."""
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    expired_before = int(((now or timezone.now()) - lifetime).timestamp())
    deleted, _ = RefreshFamily.objects.filter(current_issued_at__lt=expired_before).delete()
    return deleted


def sweep_forever(*, interval: float = SWEEP_INTERVAL, stop: threading.Event | None = None) -> None:
    """Expire ended locks every `interval` seconds, purge old keys every hour, until `stop`.

    A failed sweep (the database away) is logged and tried again at the next interval.
    """
    stop = stop or threading.Event()
    last_purge = -PURGE_INTERVAL
    while not stop.is_set():
        try:
            close_old_connections()
            expired = locks_expire()
            if expired:
                logger.info("expired %d locks", len(expired))
            unpaid = windows_close()
            if unpaid:
                logger.info("ended %d orders unpaid", len(unpaid))
            attempts_close()
            refunds_send()
            with seat_changes(Via.SWEEPER):
                released = seats_release_due()
            if released:
                logger.info("put %d seats kept back on sale at their time", len(released))
            if time.monotonic() - last_purge > PURGE_INTERVAL:
                idempotency_keys_purge()
                refresh_families_purge()
                last_purge = time.monotonic()
        except Exception:
            logger.exception("sweep failed; retrying")
        stop.wait(interval)
