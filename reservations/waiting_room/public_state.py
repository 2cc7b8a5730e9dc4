"""The waiting room as buyers see it (API.md "Waiting room"): its public state (also the
socket's `queue` frame), a buyer's place, and the draw's proof."""

from datetime import datetime

from django.utils import timezone

from reservations.models import QueueEntry, WaitingRoom
from reservations.wire_values import iso

from .draw import commitment_of
from .places import claim_deadline, turn_running


def public_state(room: WaitingRoom, now: datetime | None = None) -> dict:
    """Everything a waiting client needs to place itself; the same for everyone."""
    return {
        "event_id": room.event_id,
        "state": room.state,
        "reason": room.reason,
        "opens_at": iso(room.opens_at),
        "on_sale_at": iso(room.on_sale_at),
        "drawn": room.drawn_at is not None,
        "entrants": room.entrants,
        "joined": room.numbered if room.drawn_at else room.joined,
        "serving": room.serving,
        "rate": room.rate,
        "show_share": room.show_share,
        "seats_per_order": room.seats_per_order,
        "seats_left": room.seats_left,
        "holds_end_at": iso(room.holds_end_at) if room.holds_end_at else None,
        "turn_seconds": room.turn_seconds,
        "claim_seconds": room.claim_seconds,
        "max_active": room.max_active,
        "commitment": commitment_of(room.seed),
        "randomness_source": room.randomness_source,
        "generation": room.generation,
        "reread": room.reread,
        "at": iso(now or timezone.now()),
    }


def place_json(entry: QueueEntry, room: WaitingRoom, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    turn = turn_running(entry, room, now)
    deadline = claim_deadline(entry, room)
    return {
        "entry_id": entry.entry_id,
        "number": entry.number,
        "late": entry.late,
        "called": entry.called_at is not None,
        "claim_by": iso(deadline) if deadline and entry.claimed_at is None else None,
        "turn": turn_json(turn) if turn else None,
    }


def turn_json(turn) -> dict:
    return {"token": turn.token, "expires_at": iso(turn.expires_at), "extended": turn.extended}


# Late arrivals per page of the proof's late part: a full page never changes again.
LATE_PAGE = 1000


def proof_json(room: WaitingRoom) -> dict:
    """What anyone needs to recompute every number (draw.py); seed and order once drawn. After
    the draw it never changes: the late arrivals, who keep coming, are paged apart."""
    drawn = room.drawn_at is not None
    order = (
        list(
            QueueEntry.objects.filter(room=room, number__isnull=False, late=False)
            .order_by("number")
            .values_list("entry_id", flat=True)
        )
        if drawn
        else []
    )
    return {
        "event_id": room.event_id,
        "commitment": commitment_of(room.seed),
        "seed": room.seed if drawn else None,
        "randomness_source": room.randomness_source,
        "public_randomness": room.public_randomness,
        "entrants_digest": room.entrants_digest or None,
        "entrants": sorted(order) if drawn else None,
        "order": order if drawn else None,
        "late_pages": late_page_path(room.event_id, 0) if drawn else None,
    }


def late_page_path(event_id: int, after: int) -> str:
    return f"/api/events/{event_id}/queue/proof/late/?after={after}"


def late_page_json(room: WaitingRoom, after: int) -> dict:
    """The late arrivals numbered after the entrants and the first `after` late ones, in number
    order, at most LATE_PAGE; `next` the page after a full one."""
    late = list(
        QueueEntry.objects.filter(room=room, number__isnull=False, late=True)
        .order_by("number")
        .values_list("entry_id", flat=True)[after : after + LATE_PAGE]
    )
    full = len(late) == LATE_PAGE
    return {
        "event_id": room.event_id,
        "after": after,
        "late": late,
        "next": late_page_path(room.event_id, after + LATE_PAGE) if full else None,
    }


def queue_state_read(*, event_id: int) -> dict | None:
    """The public state as the database has it (a socket's first `queue` frame): the one the
    last tick published, `at` included, so that every socket is told the same frame."""
    room = WaitingRoom.objects.filter(event_id=event_id).first()
    return public_state(room, room.published_at) if room else None


def places_of(*, event_id: int, accounts: set[int]) -> dict[int, dict]:
    """Each account's place among `accounts`, for the sockets' `place` frames: one query."""
    rows = QueueEntry.objects.filter(room_id=event_id, user_id__in=accounts).values_list(
        "user_id", "entry_id", "number", "late"
    )
    return {user: {"entry_id": e, "number": n, "late": late} for user, e, n, late in rows}
