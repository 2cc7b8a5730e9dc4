import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from reservations.accounts.email_verification import accounts_verified_without_link
from reservations.ledger.context import seat_changes
from reservations.ledger.models import Via
from reservations.models import Event, PriceCategory, WaitingRoom
from reservations.roles import role_group
from reservations.services import event_create_with_seats
from reservations.services.categories import seats_categorise
from reservations.services.venues import event_create_from_layout_file
from reservations.waiting_room.organiser import room_create
from reservations.waiting_room.places import place_join

DEMO_PASSWORD = "seats-demo-1"
DEMO_EVENT = "Concert XYZ"
THEATRE_EVENT = "An Evening at the Playhouse"
ARENA_EVENT = "Riverside Arena: the big night"
QUEUE_EVENT = "The on-sale: a waiting room"
# The demo's staff, each in a role of the organiser's console (reservations/roles.py).
DEMO_STAFF = {"organiser": "Manager", "boxoffice": "Box office"}
EXAMPLES = Path(__file__).resolve().parents[2] / "venues" / "examples"
THEATRE_LAYOUT = EXAMPLES / "theatre.json"
ARENA_LAYOUT = EXAMPLES / "arena.json"
# The on-sale's waiting room is set again at every start of the demo: its queue opens at once
# and its sale this long after, time for a newcomer to try the other events first.
DEMO_ON_SALE_AFTER = timedelta(minutes=5)
# Simulated buyers already waiting in it, so that a visitor is numbered among a crowd. They
# never come when called: each call lapses after the claim time, and at most DEMO_MAX_ACTIVE
# are called at once, so the line visibly moves, five numbers every 20 seconds.
DEMO_WAITING_BUYERS = 40
DEMO_MAX_ACTIVE = 5
DEMO_CLAIM_SECONDS = 20


def grid_event_id(output: str) -> int:
    """The grid event's id in what the command printed (for the tests that seed the demo)."""
    return int(re.search(rf"event (\d+)  {re.escape(DEMO_EVENT)} ", output).group(1))


class Command(BaseCommand):
    help = (
        "Users alice and bob (password seats-demo-1; their e-mail verified), the console's "
        "organiser (a Manager) and boxoffice (the Box office), a demo grid event, a theatre "
        "and an arena (their layouts from reservations/venues/examples/), and a small sale "
        "behind a waiting room whose queue opens at every run, its sale five minutes later, "
        "with simulated buyers waiting in it; safe to run twice."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        for username in ("alice", "bob", *DEMO_STAFF):
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if username in DEMO_STAFF:
                user.groups.add(role_group(DEMO_STAFF[username]))
            else:  # alice and bob may join the waiting room at once
                accounts_verified_without_link(user_ids=[user.pk])
        event = Event.objects.filter(name=DEMO_EVENT).first()
        if event is None:
            event = event_create_with_seats(
                name=DEMO_EVENT,
                venue="Main Hall",
                description=(
                    "The demo event: 10 rows of 20, the floor in front and the balcony behind "
                    "it, the balcony dearer."
                ),
                starts_at=(timezone.now() + timedelta(days=30)).replace(
                    hour=20, minute=0, second=0, microsecond=0
                ),
                rows=10,
                seats_per_row=20,
                price=Decimal("50.00"),
                sections=2,
            )
            # Balcony seats cost more: a price range to show in the event list.
            balcony = PriceCategory.objects.create(
                event=event, name="Balcony", price=Decimal("120.00"), colour="#8e44ad", position=1
            )
            with seat_changes(Via.COMMAND):
                seats_categorise(event_id=event.pk, category_id=balcony.pk, section="Balcony")
        theatre = _room_event(
            THEATRE_EVENT,
            THEATRE_LAYOUT,
            "A theatre: curved stalls, a circle, boxes, wheelchair spaces. Paid at the box "
            "office: a booking waits for payment until the box office settles it.",
            days=31,
            at=(19, 30),
            orphan_mode=Event.OrphanMode.LENIENT,
        )
        # Its buyers pay at the box office: the demo's pay window (API.md "Paying").
        Event.objects.filter(pk=theatre.pk).update(paid_with=Event.PaidWith.VENUE)
        arena = _room_event(
            ARENA_EVENT,
            ARENA_LAYOUT,
            "An arena of 19,671 seats in 45 sections around a standing floor.",
            days=32,
            at=(20, 0),
        )
        queued = _queued_event()
        on_sale = _sale_restart(queued)
        self.stdout.write("Demo ready:")
        demos = ((event, "a grid"), (theatre, "a theatre, paid at the venue"), (arena, "an arena"))
        for demo, kind in (*demos, (queued, "a grid behind a waiting room")):
            self.stdout.write(
                f"  event {demo.pk}  {demo.name} ({kind}, {demo.seats.count():,} seats)"
            )
        self.stdout.write(
            f"The on-sale's waiting room is open, {DEMO_WAITING_BUYERS} simulated buyers in it; "
            f"its sale starts at {on_sale:%H:%M} UTC."
        )
        self.stdout.write(f"Log in as alice or bob, password {DEMO_PASSWORD}.")
        self.stdout.write(
            f"The console (/console/ID): organiser or boxoffice, password {DEMO_PASSWORD}."
        )


def _queued_event() -> Event:
    """A small sale to put behind a waiting room (`_sale_restart`)."""
    event = Event.objects.filter(name=QUEUE_EVENT).first()
    if event is not None:
        return event
    now = timezone.now()
    event = event_create_with_seats(
        name=QUEUE_EVENT,
        venue="Main Hall",
        description=(
            "40 seats behind a waiting room: take a place before the on-sale, and the draw at "
            "the on-sale numbers everyone who came; then the seats let buyers in."
        ),
        starts_at=(now + timedelta(days=33)).replace(hour=20, minute=0, second=0, microsecond=0),
        rows=4,
        seats_per_row=10,
        price=Decimal("40.00"),
    )
    return event


def _sale_restart(event: Event) -> datetime:
    """The demo's on-sale as it is before it starts, at every start of the demo: a new room
    (a new seed, so a new draw; last run's places go with the old one) whose queue opens now
    and whose sale starts DEMO_ON_SALE_AFTER from now, the simulated buyers already in it.
    Only the demo's own event: no other room is touched. Returns when the sale starts."""
    now = timezone.now()
    WaitingRoom.objects.filter(event=event).delete()
    room = room_create(
        event=event,
        opens_at=now,
        on_sale_at=now + DEMO_ON_SALE_AFTER,
        max_active=DEMO_MAX_ACTIVE,
        claim_seconds=DEMO_CLAIM_SECONDS,
    )
    for buyer in _waiting_buyers():
        place_join(user_id=buyer.pk, event_id=event.pk, now=now)
    return room.on_sale_at


def _waiting_buyers() -> list:
    """The simulated buyers' accounts: nobody can log in as them; verified (no link sent), as
    joining the room asks."""
    User = get_user_model()
    buyers = []
    for n in range(1, DEMO_WAITING_BUYERS + 1):
        buyer, created = User.objects.get_or_create(username=f"waiting-buyer-{n:02}")
        if created:
            buyer.set_unusable_password()
            buyer.save(update_fields=["password"])
        buyers.append(buyer)
    accounts_verified_without_link(user_ids=[buyer.pk for buyer in buyers])
    return buyers


def _room_event(name: str, layout: Path, description: str, *, days: int, at, **options) -> Event:
    """The demo event of that name, made from its example room if it is not there yet."""
    event = Event.objects.filter(name=name).first()
    if event is not None:
        return event
    hour, minute = at
    return event_create_from_layout_file(
        data=layout.read_bytes(),
        name=name,
        description=description,
        starts_at=(timezone.now() + timedelta(days=days)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        ),
        **options,
    )
