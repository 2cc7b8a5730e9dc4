from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reservations.services import event_create_with_seats


def _price(value: str) -> Decimal:
    try:
        price = Decimal(value)
    except InvalidOperation as exc:
        raise CommandError(f"--price must be a decimal amount, not {value!r}") from exc
    if price < 0:
        raise CommandError("--price must not be negative")
    return price.quantize(Decimal("0.01"))


class Command(BaseCommand):
    help = "Create one event with ROWS x SEATS_PER_ROW seats (A1, A2, ...); prints its id last."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--seats-per-row", type=int, required=True)
        parser.add_argument("--price", type=_price, required=True)
        parser.add_argument("--sections", type=int, default=1)
        parser.add_argument("--venue", default="")
        parser.add_argument("--description", default="")
        parser.add_argument("--starts-at", help="ISO 8601; default: 30 days from now")

    def handle(self, *args, **options):
        if options["rows"] < 1 or options["seats_per_row"] < 1 or options["sections"] < 1:
            raise CommandError("--rows, --seats-per-row and --sections must be at least 1")
        if options["sections"] > options["rows"]:
            raise CommandError("--sections cannot exceed --rows")
        starts_at = timezone.now() + timedelta(days=30)
        if options["starts_at"]:
            starts_at = parse_datetime(options["starts_at"])
            if starts_at is None:
                raise CommandError("--starts-at must be an ISO 8601 date and time")
            if timezone.is_naive(starts_at):
                starts_at = timezone.make_aware(starts_at, timezone.get_fixed_timezone(0))
        event = event_create_with_seats(
            name=options["name"],
            venue=options["venue"],
            description=options["description"],
            starts_at=starts_at,
            rows=options["rows"],
            seats_per_row=options["seats_per_row"],
            price=options["price"],
            sections=options["sections"],
        )
        self.stderr.write(f"Created event {event.name!r} with {event.seats.count()} seats.")
        self.stdout.write(str(event.pk))
