"""`seats.changed`: the seat ledger's changes, sent in bulk to the endpoints that asked, read by
the worker from the ledger itself (reservations_seatchange, by id), so that a hold writes
nothing more than its ledger row.

Each endpoint keeps the id of the last change it was sent (`ledger_cursor`). Ids are handed out
when a change is written, not when it commits, so a change with a lower id may still commit
after a higher one has been read: the worker reads only up to the ledger's *final end*, below
which every change has committed or never will (`LedgerEnd`).
"""

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ..ledger.models import SeatChange
from ..wire_values import iso
from .models import EventType, WebhookDelivery, WebhookEndpoint, WebhookMessage
from .sending import new_msg_id

SEATS_CHANGED = EventType.SEATS_CHANGED.value
CHANGES_PER_MESSAGE = 1000
CHANGES_PER_ROUND = 10 * CHANGES_PER_MESSAGE  # per endpoint, each time the worker looks

# The transactions in progress in this statement's snapshot, and the ledger's last id it sees.
_SNAPSHOT = (
    "SELECT (SELECT max(id) FROM reservations_seatchange),"
    " ARRAY(SELECT x::text FROM pg_snapshot_xip(pg_current_snapshot()) x)"
)
_STILL_RUNNING = (
    "SELECT count(*) FROM unnest(%s::text[]) x WHERE pg_xact_status(x::xid8) = 'in progress'"
)


class LedgerEnd:
    """How far the ledger is final. On PostgreSQL: a change with an id at or below the last
    one a snapshot sees, and not in it, belongs to a transaction in progress in that snapshot
    (it took its id after that transaction had begun writing, before the seen one committed)
    or to one rolled back. So once every transaction in progress in the snapshot has ended,
    the ledger is final up to that id. On SQLite writers take turns: ids come in commit order.
    """

    def __init__(self):
        self.final = 0
        self._waiting: tuple[int, list[str]] | None = None  # (id, transactions in progress)

    def advanced(self) -> int:
        if connection.vendor != "postgresql":
            self.final = SeatChange.objects.aggregate(end=Max("id"))["end"] or 0
            return self.final
        with connection.cursor() as cursor:
            if self._waiting is not None:
                end, running = self._waiting
                cursor.execute(_STILL_RUNNING, [running])
                if cursor.fetchone()[0]:
                    return self.final
                self.final, self._waiting = max(self.final, end), None
            cursor.execute(_SNAPSHOT)
            end, running = cursor.fetchone()
            if running:
                self._waiting = (end or 0, running)
            else:
                self.final = max(self.final, end or 0)
        return self.final


def _change(row) -> dict:
    change, seat, label, section, seat_row, before, after, version, via, reservation, at = row
    return {
        "change": change,
        "seat": seat,
        "label": label,
        "section": section,
        "row": seat_row,
        "before": before,
        "after": after,
        "version": version,
        "via": via,
        "reservation": reservation,
        "at": iso(at),
    }


_FIELDS = (
    "id",
    "seat_id",
    "seat__label",
    "seat__section",
    "seat__row",
    "status_before",
    "status_after",
    "version",
    "via",
    "reservation_id",
    "at",
    "event_id",
)


def seats_changed_written(*, final: int) -> int:
    """Write the `seats.changed` messages of every endpoint that asked for them, from its
    cursor up to `final`: one message per event and per 1,000 changes, in ledger order. Each
    endpoint's in one transaction with its cursor's move. The number of messages written."""
    written = 0
    for endpoint_id in [
        endpoint.pk
        for endpoint in WebhookEndpoint.objects.filter(enabled=True, ledger_cursor__lt=final)
        if SEATS_CHANGED in endpoint.event_types
    ]:
        with transaction.atomic():
            endpoint = (
                WebhookEndpoint.objects.select_for_update(skip_locked=True)
                .filter(pk=endpoint_id, ledger_cursor__lt=final)
                .first()
            )
            if endpoint is None:  # another worker has it
                continue
            changes = SeatChange.objects.filter(id__gt=endpoint.ledger_cursor, id__lte=final)
            if endpoint.event_id is not None:
                changes = changes.filter(event_id=endpoint.event_id)
            rows = list(changes.order_by("id").values_list(*_FIELDS)[:CHANGES_PER_ROUND])
            by_event: dict[int, list[dict]] = {}
            for *row, event_id in rows:
                by_event.setdefault(event_id, []).append(_change(row))
            now = timezone.now()
            for event_id, event_changes in by_event.items():
                for start in range(0, len(event_changes), CHANGES_PER_MESSAGE):
                    part = event_changes[start : start + CHANGES_PER_MESSAGE]
                    message = WebhookMessage.objects.create(
                        msg_id=new_msg_id(),
                        type=SEATS_CHANGED,
                        event_id=event_id,
                        payload={"event": event_id, "changes": part},
                        created_at=now,
                    )
                    WebhookDelivery.objects.create(
                        message=message, endpoint=endpoint, next_attempt_at=now
                    )
                    written += 1
            endpoint.ledger_cursor = rows[-1][0] if len(rows) == CHANGES_PER_ROUND else final
            endpoint.save(update_fields=["ledger_cursor"])
    return written
