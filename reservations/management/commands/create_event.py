import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reservations.models import Event
from reservations.services import event_create_with_seats
from reservations.services.venues import event_create_from_layout_file
from reservations.venues.layout_file import LayoutError
from reservations.waiting_room.organiser import room_create, times_problem


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise CommandError(f"--currency must be an ISO 4217 code such as EUR, not {value!r}")
    return value


def _price(value: str) -> Decimal:
    try:
        price = Decimal(value)
    except InvalidOperation as exc:
        raise CommandError(f"--price must be a decimal amount, not {value!r}") from exc
    if not price.is_finite() or not 0 <= price <= Decimal("99999999.99"):  # Seat.price's
        raise CommandError(f"--price must be from 0 to 99999999.99, not {value!r}")
    return price.quantize(Decimal("0.01"))


def _iso(value: str):
    """An ISO 8601 time (without a zone: UTC's), or None."""
    try:
        moment = parse_datetime(value)
    except ValueError:  # ISO 8601's form, but no such day or time
        return None
    return moment and (moment if timezone.is_aware(moment) else timezone.make_aware(moment))


def _moment(value: str):
    """ISO 8601, or `now+SECONDS` (tests and demos: a sale a few seconds away)."""
    if match := re.fullmatch(r"now\+([0-9]+)", value):
        return timezone.now() + timedelta(seconds=int(match[1]))
    if (moment := _iso(value)) is None:
        raise CommandError(f"not a time: {value!r} (ISO 8601, or now+SECONDS)")
    return moment


class Command(BaseCommand):
    help = (
        "Create one event: a grid of ROWS x SEATS_PER_ROW seats (A1, A2, ...), or the room of a "
        "layout file (--layout, docs/LAYOUT.md); prints its id alone on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="what buyers see the event as")
        parser.add_argument(
            "--layout",
            help="a layout file (docs/LAYOUT.md) instead of a grid; a room read before is reused",
        )
        parser.add_argument(
            "--orphan-mode",
            choices=["off", "lenient", "strict"],
            default="off",
            help="may a hold leave one empty seat alone (docs/BEST_AVAILABLE.md)",
        )
        parser.add_argument("--rows", type=int, help="a grid's rows (A, B, ...)")
        parser.add_argument("--seats-per-row", type=int, help="a grid's seats in each row")
        parser.add_argument("--price", help="a grid's one price, e.g. 35.00")
        parser.add_argument(
            "--sections", type=int, default=1, help="a grid's rows split into N sections (1)"
        )
        parser.add_argument(
            "--venue", default="", help="where it is (default: the layout's name, or none)"
        )
        parser.add_argument("--description", default="", help="a paragraph for the event page")
        parser.add_argument(
            "--starts-at", help="ISO 8601, e.g. 2027-03-01T19:30:00Z (default: 30 days from now)"
        )
        parser.add_argument("--currency", default="EUR", help="ISO 4217 (default EUR)")
        parser.add_argument(
            "--purchase-limit",
            type=int,
            help="seats one buyer may hold and book together, 1 to 100,000 (default: the site's "
            "SEAT_PURCHASE_LIMIT); a load test's buyers need room for what they click",
        )
        parser.add_argument(
            "--holds-limited-per-network",
            action="store_true",
            help='count holds per client network too (API.md "Holds per network"): it stops '
            "one person with many accounts, and costs buyers who share an address (a carrier's "
            "shared address puts thousands of strangers on one) seats at the busiest minute",
        )
        parser.add_argument(
            "--paid-with",
            choices=[c for c in Event.PaidWith.values if c],
            default="",
            help='how buyers pay online (API.md "Paying"): venue (settled in the console) or '
            "stripe; default: a booking is sold at once",
        )
        parser.add_argument(
            "--pay-window-minutes",
            type=int,
            help="how long a buyer has to pay after their hold's end (default: PAY_WINDOW_SECONDS)",
        )
        queue = parser.add_argument_group("waiting room (API.md): both times switch it on")
        queue.add_argument("--queue-opens", help="ISO 8601, or now+SECONDS")
        queue.add_argument("--on-sale", help="ISO 8601, or now+SECONDS")
        queue.add_argument(
            "--queue-challenge",
            action="store_true",
            help="each new place asks for proof of work (about a second of the buyer's device)",
        )
        queue.add_argument(
            "--turn-minutes", type=int, default=10, help="how long a buyer's turn lasts (10)"
        )
        queue.add_argument(
            "--claim-seconds",
            type=int,
            default=120,
            help="how long a called buyer has to claim the turn (120)",
        )
        queue.add_argument(
            "--max-active", type=int, default=500, help="the most buyers shopping at once (500)"
        )
        queue.add_argument(
            "--randomness-source",
            default="",
            help='"drand quicknet round N", out at or after the on-sale: the draw waits for it',
        )

    def handle(self, *args, **options):
        # Judged here, not by argparse's type=: a CommandError there is a traceback.
        checks = {
            "price": _price,
            "currency": _currency,
            "queue_opens": _moment,
            "on_sale": _moment,
        }
        options.update({k: f(options[k]) for k, f in checks.items() if options[k] is not None})
        starts_at = self._starts_at(options["starts_at"])
        opens, on_sale = options["queue_opens"], options["on_sale"]
        limit = options["purchase_limit"]
        if limit is not None and not 1 <= limit <= 100_000:
            raise CommandError("--purchase-limit must be 1 to 100,000")
        window = options["pay_window_minutes"]
        if window is not None and not 1 <= window <= 24 * 60:
            raise CommandError("--pay-window-minutes must be 1 to 1440")
        if (opens, on_sale) != (None, None):
            if None in (opens, on_sale):
                raise CommandError("a waiting room needs both --queue-opens and --on-sale")
            if problem := times_problem(opens, on_sale):
                raise CommandError(f"{problem} (--queue-opens, --on-sale)")
        if options["layout"]:
            event = self._from_layout(options, starts_at)
        else:
            event = self._grid(options, starts_at)
        chosen = {
            "currency": options["currency"],
            "purchase_limit": limit,
            "holds_limited_per_network": options["holds_limited_per_network"],
            "paid_with": options["paid_with"],
            "pay_window_seconds": window and window * 60,
        }
        if changed := [name for name, value in chosen.items() if getattr(event, name) != value]:
            for name in changed:
                setattr(event, name, chosen[name])
            event.save(update_fields=changed)
        self._waiting_room(event, options)
        self.stderr.write(f"Created event {event.name!r} with {event.seats.count()} seats.")
        self.stdout.write(str(event.pk))

    def _waiting_room(self, event, options):
        opens, on_sale = options["queue_opens"], options["on_sale"]
        if opens is None:
            return
        room_create(
            event=event,
            opens_at=opens,
            on_sale_at=on_sale,
            turn_seconds=options["turn_minutes"] * 60,
            claim_seconds=options["claim_seconds"],
            max_active=options["max_active"],
            randomness_source=options["randomness_source"],
            challenge=options["queue_challenge"],
        )
        self.stderr.write(f"Waiting room: opens {opens:%H:%M:%S}, on sale {on_sale:%H:%M:%S} UTC.")

    def _from_layout(self, options, starts_at):
        if any(options[k] is not None for k in ("rows", "seats_per_row", "price")):
            raise CommandError(
                "--layout takes its seats and prices from the file: no --rows, "
                "--seats-per-row or --price"
            )
        try:
            with open(options["layout"], "rb") as file:
                data = file.read()
        except OSError as exc:
            raise CommandError(f"cannot read {options['layout']}: {exc.strerror}") from exc
        try:
            return event_create_from_layout_file(
                data=data,
                name=options["name"],
                starts_at=starts_at,
                venue=options["venue"],
                description=options["description"],
                orphan_mode=options["orphan_mode"],
            )
        except LayoutError as exc:
            raise CommandError(f"{options['layout']}{exc.place}: {exc.message}") from exc

    def _grid(self, options, starts_at):
        if None in (options["rows"], options["seats_per_row"], options["price"]):
            raise CommandError("a grid needs --rows, --seats-per-row and --price (or --layout)")
        if options["rows"] < 1 or options["seats_per_row"] < 1 or options["sections"] < 1:
            raise CommandError("--rows, --seats-per-row and --sections must be at least 1")
        if options["sections"] > options["rows"]:
            raise CommandError("--sections cannot exceed --rows")
        return event_create_with_seats(
            name=options["name"],
            venue=options["venue"],
            description=options["description"],
            starts_at=starts_at,
            rows=options["rows"],
            seats_per_row=options["seats_per_row"],
            price=options["price"],
            sections=options["sections"],
        )

    @staticmethod
    def _starts_at(value):
        if not value:
            return timezone.now() + timedelta(days=30)
        if (starts_at := _iso(value)) is None:
            raise CommandError("--starts-at must be an ISO 8601 date and time")
        return starts_at
