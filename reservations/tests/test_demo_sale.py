"""The demo's on-sale (seed_demo): at every start of the demo its waiting room opens at once,
its sale a few minutes later, with simulated buyers already waiting, so that a visitor who
takes a place is numbered among them and watches the line move."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from reservations.management.commands.seed_demo import (
    DEMO_CLAIM_SECONDS,
    DEMO_MAX_ACTIVE,
    DEMO_ON_SALE_AFTER,
    DEMO_WAITING_BUYERS,
    QUEUE_EVENT,
)
from reservations.models import Event, QueueEntry, WaitingRoom
from reservations.waiting_room.organiser import room_create
from reservations.waiting_room.places import place_join
from reservations.waiting_room.ticks import room_tick

from .factories import VerifiedUserFactory, event_with_seats

pytestmark = pytest.mark.django_db


def seed() -> WaitingRoom:
    call_command("seed_demo", stdout=StringIO())
    return WaitingRoom.objects.get(event__name=QUEUE_EVENT)


def tick(room: WaitingRoom, at) -> WaitingRoom:
    return room_tick(event_id=room.event_id, now=at, redis_down=False, force=True)


def test_the_queue_opens_now_the_sale_soon_a_visitor_is_numbered_among_its_buyers_and_it_restarts():
    """One demo start followed through to the next (each seeds the demo's arena and theatre,
    some 22,000 seats): its times and waiting buyers, a visitor's place among them, the line
    moving, then the next start's fresh sale. Someone else's on-sale keeps its own all along."""
    other = event_with_seats(rows=1, seats_per_row=4, name="Someone's own on-sale")
    opens = timezone.now() - timedelta(hours=1)
    own = room_create(event=other, opens_at=opens, on_sale_at=opens + timedelta(minutes=2))
    place_join(user_id=VerifiedUserFactory().pk, event_id=other.pk, now=opens)
    before = timezone.now()

    room = seed()

    assert before <= room.opens_at <= timezone.now()
    assert room.on_sale_at - room.opens_at == DEMO_ON_SALE_AFTER == timedelta(minutes=5)
    places = QueueEntry.objects.filter(room=room)
    assert places.count() == DEMO_WAITING_BUYERS
    # Entrants of the draw: before the on-sale, not numbered yet.
    assert not places.filter(late=True).exists() and not places.filter(number__isnull=False)
    waiting = places.first().user
    assert waiting.username.startswith("waiting-buyer-") and not waiting.has_usable_password()
    # Only the demo's own room: another sale keeps its times and its places.
    own.refresh_from_db()
    assert (own.opens_at, own.on_sale_at) == (opens, opens + timedelta(minutes=2))
    assert QueueEntry.objects.filter(room=own).count() == 1

    # A visitor takes a place before the on-sale: numbered among the waiting buyers.
    alice = authenticate(username="alice", password="seats-demo-1")
    place_join(user_id=alice.pk, event_id=room.event_id, now=room.opens_at + timedelta(minutes=1))

    drawn = tick(room, room.on_sale_at)

    assert drawn.entrants == DEMO_WAITING_BUYERS + 1
    number = QueueEntry.objects.get(room=room, user=alice).number
    assert 1 <= number <= DEMO_WAITING_BUYERS + 1
    assert drawn.serving == DEMO_MAX_ACTIVE  # a few called at the on-sale, not everyone
    # Nobody called comes: when their claim time is over, the next numbers are called.
    later = tick(room, room.on_sale_at + timedelta(seconds=DEMO_CLAIM_SECONDS + 1))
    assert later.serving == 2 * DEMO_MAX_ACTIVE

    # The demo starts again: its sale is set again, with a new draw; last run's places are gone.
    again = seed()

    assert again.opens_at > room.opens_at
    assert again.on_sale_at - again.opens_at == DEMO_ON_SALE_AFTER
    assert (again.drawn_at, again.serving, again.numbered) == (None, 0, 0)
    assert again.seed != room.seed
    assert not QueueEntry.objects.filter(room=again, user=alice).exists()
    assert QueueEntry.objects.filter(room=again).count() == DEMO_WAITING_BUYERS
    assert Event.objects.filter(name=QUEUE_EVENT).count() == 1
    own.refresh_from_db()
    assert (own.opens_at, own.on_sale_at) == (opens, opens + timedelta(minutes=2))
    assert QueueEntry.objects.filter(room=own).count() == 1
