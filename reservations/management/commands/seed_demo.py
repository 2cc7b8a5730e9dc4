from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from reservations.models import Event, PriceCategory
from reservations.services import event_create_with_seats
from reservations.services.categories import seats_categorise
from reservations.services.venues import event_create_from_layout_file

DEMO_PASSWORD = "seats-demo-1"
DEMO_EVENT = "Concert XYZ"
THEATRE_EVENT = "An Evening at the Playhouse"
THEATRE_LAYOUT = Path(__file__).resolve().parents[2] / "venues" / "examples" / "theatre.json"


class Command(BaseCommand):
    help = (
        "Users alice and bob (password seats-demo-1), a demo grid event and a theatre (its "
        "layout from reservations/venues/examples/theatre.json); safe to run twice."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        for username in ("alice", "bob"):
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
        event = Event.objects.filter(name=DEMO_EVENT).first()
        if event is None:
            event = event_create_with_seats(
                name=DEMO_EVENT,
                venue="Main Hall",
                description="The demo event: 10 rows of 20, front rows dearer.",
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
            seats_categorise(event_id=event.pk, category_id=balcony.pk, section="Balcony")
        theatre = Event.objects.filter(name=THEATRE_EVENT).first()
        if theatre is None:
            theatre = event_create_from_layout_file(
                data=THEATRE_LAYOUT.read_bytes(),
                name=THEATRE_EVENT,
                description="A theatre: curved stalls, a circle, boxes, wheelchair spaces.",
                starts_at=(timezone.now() + timedelta(days=31)).replace(
                    hour=19, minute=30, second=0, microsecond=0
                ),
                orphan_mode=Event.OrphanMode.LENIENT,
            )
        self.stdout.write(
            f"Demo ready: events {event.pk} (grid) and {theatre.pk} (theatre), "
            f"users alice and bob ({DEMO_PASSWORD})."
        )
        self.stdout.write(str(event.pk))
