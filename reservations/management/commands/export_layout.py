import json

from django.core.management.base import BaseCommand, CommandError

from reservations.exceptions import NotFound
from reservations.services.venues import layout_spec_of_event
from reservations.venues.layout_file import layout_document


class Command(BaseCommand):
    help = (
        "Write an event's room as a layout file (docs/LAYOUT.md) to stdout, with the event's "
        "own categories: `create_event --layout` of it makes the same room at the same prices."
    )

    def add_arguments(self, parser):
        parser.add_argument("event_id", type=int)

    def handle(self, *args, **options):
        try:
            spec = layout_spec_of_event(event_id=options["event_id"])
        except NotFound as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(layout_document(spec), indent=1, ensure_ascii=False))
