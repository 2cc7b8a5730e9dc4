from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from reservations.ledger.inventory import inventory_disagreements
from reservations.models import Event


class Command(BaseCommand):
    help = (
        "Replay the seat ledger and compare it with the seats and the reservations "
        "(docs/LEDGER.md); exit 1 with the list of disagreements if any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", type=int, help="check this event only (its id)")

    def handle(self, *args, event=None, **options):
        if event is not None and not Event.objects.filter(pk=event).exists():
            raise CommandError(f"There is no event {event}.")
        disagreements = inventory_disagreements(event_id=event)
        scope = f"event {event}" if event is not None else "every event"
        if disagreements:
            for line in disagreements:
                self.stdout.write(line)
            count = len(disagreements)
            raise CommandError(
                f"{count} disagreement{pluralize(count)} in the inventory of {scope}."
            )
        self.stdout.write(f"The inventory of {scope} agrees with its ledger.")
