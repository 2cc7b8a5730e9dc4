"""The waiting room's tick: every QUEUE_TICK_SECONDS, for each room, move its state on, draw at
the on-sale, and call as many numbers as the seats can serve (admission.py), in number order.
One transaction per room, under its row lock; a process that finds another ticking the room
(an advisory lock) or the room ticked within the interval leaves it. Each server process runs
the ticks on a thread of its own (`ticks_forever`): whichever gets there first ticks, so the
queue moves while any server lives. The public state goes to the room's sockets after commit
(signals.queue_changed), when it changed and at least every QUEUE_FRAME_SECONDS.
"""

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from reservations.metrics import queue_observed
from reservations.models import QueueEntry, Reservation, ReservedSeat, Seat, WaitingRoom
from reservations.redis_primary import answers
from reservations.rules import free_q, live_lock_q
from reservations.signals import queue_changed_on_commit

from . import path_health
from .admission import Measured, decide
from .draw import drawn_order, entrants_digest
from .public_state import public_state

logger = logging.getLogger("reservations.waiting_room")

State = WaitingRoom.State
# A buyer in their turn who has held nothing this long after claiming it is taken as gone.
IDLE_SHOPPER_SECONDS = 120


def room_tick(
    *, event_id: int, now: datetime | None = None, redis_down: bool | None = None, force=False
) -> WaitingRoom | None:
    """One tick of one room; None when another process has it or ticked it just now."""
    now = now or timezone.now()
    with transaction.atomic():
        if not _ticker(event_id):
            return None
        # Waits for the joins in flight (they hold the row shared): the draw must see them.
        room = WaitingRoom.objects.select_for_update(no_key=True).filter(event_id=event_id).first()
        interval = timedelta(seconds=settings.QUEUE_TICK_SECONDS * 0.8)
        if room is None or (not force and room.ticked_at and now - room.ticked_at < interval):
            return None
        before = public_state(room, now)
        if room.drawn_at is None:
            room.joined = QueueEntry.objects.filter(room=room).count()
        if now < room.opens_at:
            room.state, room.reason = State.SCHEDULED, ""
        elif now < room.on_sale_at:
            room.state, room.reason = State.PRE_QUEUE, ""
        elif room.drawn_at is None and room.randomness_source and not room.public_randomness:
            room.state, room.reason = State.DRAW, "randomness"
        else:
            if room.drawn_at is None:
                _draw(room, now)
            _admit(room, now, path_health.slow_now(room.event_id), _redis_down(room, redis_down))
        room.ticked_at = now
        room.save()
        after = public_state(room, now)
        transaction.on_commit(lambda: queue_observed(after))
        if _changed(before, after) or _frame_due(room, now):
            room.published_at = now
            room.save(update_fields=["published_at"])
            queue_changed_on_commit(event_id=event_id, state=after)
        return room


# The first key of the tick's advisory lock (the second is the event): one ticker per room.
TICK_LOCK = 0x5175_6575


def _ticker(event_id: int) -> bool:
    """Whether this transaction is the room's one ticker (other processes' ticks leave it)."""
    if connection.vendor != "postgresql":
        return True  # SQLite's transactions are serial
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [TICK_LOCK, event_id])
        return cursor.fetchone()[0]


def _changed(before: dict, after: dict) -> bool:
    return any(before[k] != after[k] for k in after if k != "at")


def _frame_due(room: WaitingRoom, now: datetime) -> bool:
    due = timedelta(seconds=settings.QUEUE_FRAME_SECONDS)
    return room.published_at is None or now - room.published_at >= due


def _redis_down(room: WaitingRoom, told: bool | None) -> bool:
    """Whether Redis is away: the waiting sockets hear nothing meanwhile."""
    if told is not None:
        return told
    if not settings.REDIS_URL:
        return False
    return not answers()


def _draw(room: WaitingRoom, now: datetime) -> None:
    """Freeze the entrants, number them by the seed, the late arrivals after them in the order
    they came. Under the room's row lock: no join is halfway (places.py)."""
    entries = list(
        QueueEntry.objects.filter(room=room).values_list("id", "entry_id", "joined_at", "late")
    )
    entrants = [entry_id for _, entry_id, _, late in entries if not late]
    late = sorted(
        (joined_at, pk, entry_id) for pk, entry_id, joined_at, is_late in entries if is_late
    )
    order = drawn_order(room.seed, room.public_randomness, entrants)
    numbers = {entry_id: n for n, entry_id in enumerate(order, start=1)}
    numbers.update({entry_id: len(order) + i for i, (_, _, entry_id) in enumerate(late, start=1)})
    _write_numbers(room, numbers)
    room.entrants = len(entrants)
    room.entrants_digest = entrants_digest(entrants)
    room.numbered = len(numbers)
    room.drawn_at = now
    logger.info("event %s: drew %d entrants, %d late", room.event_id, len(entrants), len(late))


def _write_numbers(room: WaitingRoom, numbers: dict[str, int]) -> None:
    if not numbers:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE reservations_queueentry AS q SET number = v.n "
                "FROM unnest(%s::text[], %s::int[]) AS v(e, n) "
                "WHERE q.room_id = %s AND q.entry_id = v.e",
                [list(numbers), list(numbers.values()), room.event_id],
            )
        return
    entries = list(QueueEntry.objects.filter(room=room))
    for entry in entries:
        entry.number = numbers[entry.entry_id]
    QueueEntry.objects.bulk_update(entries, ["number"], batch_size=500)


def _admit(room: WaitingRoom, now: datetime, slow: bool, redis_down: bool) -> None:
    measured = _measure(room, now, slow, redis_down)
    decision = decide(measured)
    calls = min(decision.calls, room.numbered - room.serving)
    if calls > 0:
        QueueEntry.objects.filter(
            room=room, number__gt=room.serving, number__lte=room.serving + calls
        ).update(called_at=now)
        room.serving += calls
        room.first_called_at = room.first_called_at or now
    if room.reason == "redis" and decision.reason != "redis":
        # Back from a Redis loss: the sockets were closed and what was pushed meanwhile is
        # lost; clients read their place again (`reread`).
        room.reread += 1
    room.state, room.reason = decision.state, decision.reason
    room.show_share = round(decision.show_share, 3)
    room.seats_per_order = round(decision.seats_per_order, 2)
    room.seats_left = measured.free_seats
    room.holds_end_at = (
        Seat.objects.filter(live_lock_q(now), event_id=room.event_id).aggregate(
            end=Max("held_until")
        )["end"]
        if decision.state == State.HELD_OUT
        else None
    )
    # The pace a waiting buyer's estimate goes by: the first call of the sale is left out, a
    # burst as large as the seats that says nothing of how fast numbers come after it (the
    # queue profile measured estimates ~23 s too short with it in).
    since = now - timedelta(minutes=1)
    if room.first_called_at is not None:
        since = max(since, room.first_called_at)
    room.rate = QueueEntry.objects.filter(room=room, called_at__gt=since).count()


def _measure(room: WaitingRoom, now: datetime, slow: bool, redis_down: bool) -> Measured:
    event_id = room.event_id
    seats = Seat.objects.filter(event_id=event_id)
    free = seats.filter(free_q(now), blocked=False).count()
    held = seats.filter(live_lock_q(now)).count()
    since = room.on_sale_at
    # An order awaiting payment is one placed: its seats are counted booked too.
    placed = (Reservation.Status.CONFIRMED, Reservation.Status.AWAITING_PAYMENT)
    orders = Reservation.objects.filter(
        event_id=event_id, created_at__gte=since, status__in=placed
    ).count()
    booked = ReservedSeat.objects.filter(
        reservation__event_id=event_id, reservation__created_at__gte=since, is_active=True
    ).count()
    # Holds that ended without a booking: a booked seat remembers the hold it was booked in.
    released = seats.filter(released_at__gte=since, reserved_by__isnull=True).count()
    window = timedelta(seconds=room.claim_seconds)
    called = QueueEntry.objects.filter(room=room, called_at__isnull=False)
    called_closed = called.filter(Q(claimed_at__isnull=False) | Q(called_at__lte=now - window))
    pending = called.filter(claimed_at__isnull=True, called_at__gt=now - window).count()
    turns = QueueEntry.objects.filter(room=room, claimed_at__isnull=False, turn_expires_at__gt=now)
    holding = Exists(seats.filter(live_lock_q(now), held_by=OuterRef("user_id")))
    booked_by = seats.filter(reserved_by=OuterRef("user_id"))
    bought = Exists(booked_by.filter(status__in=(Seat.Status.RESERVED, Seat.Status.PAYING)))
    # Who is shopping: a buyer holding seats, or one who has held and booked nothing yet and
    # claimed lately. One who booked and holds nothing is done; one who has held nothing for
    # IDLE_SHOPPER_SECONDS is taken as gone. Neither speaks for seats nor counts against the
    # ceiling for the rest of the turn (both may still hold while it runs).
    lately = now - timedelta(seconds=IDLE_SHOPPER_SECONDS)
    holders = turns.filter(holding).count()
    empty = turns.exclude(holding).exclude(bought).filter(claimed_at__gt=lately).count()
    return Measured(
        free_seats=free,
        held_seats=held,
        booked_seats=booked,
        released_holds=released,
        orders=orders,
        called_closed=called_closed.count(),
        claimed=called_closed.filter(claimed_at__isnull=False).count(),
        shopping_empty=empty,
        pending_calls=pending,
        active=holders + empty + pending,
        max_active=room.max_active,
        path_slow=slow,
        redis_down=redis_down,
        paused_by_organiser=room.paused_by_organiser,
    )


def ticks_forever(*, stop: threading.Event | None = None) -> None:
    """Tick every room every QUEUE_TICK_SECONDS until `stop` (a server process's thread)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            close_old_connections()
            path_health.share_this_process()
            for event_id in WaitingRoom.objects.values_list("event_id", flat=True):
                room_tick(event_id=event_id)
        except Exception:
            logger.exception("waiting room tick failed; retrying")
        stop.wait(settings.QUEUE_TICK_SECONDS)
