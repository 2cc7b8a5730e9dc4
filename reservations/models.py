from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from .exceptions import NotFound


class VenueLayout(models.Model):
    """A room as a layout file describes it (docs/LAYOUT.md), reusable across events.

    An event created on it gets its own seat rows, copied from these (holds and bookings are per
    event); the categories here are the defaults each such event starts with.
    """

    name = models.CharField(max_length=200)
    width = models.FloatField()
    height = models.FloatField()
    # The plan's non-seat drawing (stage, section names), in the shapes format of docs/LAYOUT.md.
    shapes = models.JSONField(default=list, blank=True)
    # [{"name", "price", "colour"}]: the price categories an event on this layout starts with.
    categories = models.JSONField(default=list, blank=True)
    # What the file said, hashed (services/venues.py): the same room read again is reused.
    digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class LayoutSeat(models.Model):
    """A seat of a venue layout, in layout order (id order)."""

    layout = models.ForeignKey(VenueLayout, on_delete=models.CASCADE, related_name="seats")
    section = models.CharField(max_length=50)
    row = models.CharField(max_length=10)
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=20)
    x = models.FloatField()
    y = models.FloatField()
    rotation = models.FloatField(default=0)
    category = models.CharField(max_length=50)  # a name among the layout's categories
    accessible = models.BooleanField(default=False)
    companion = models.BooleanField(default=False)
    restricted_view = models.BooleanField(default=False)
    aisle = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["layout", "label"], name="layout_seat_label_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class EventQuerySet(models.QuerySet):
    def found(self, event_id: int) -> "Event":
        """The event, or the API's 404 for an unknown one."""
        event = self.filter(pk=event_id).first()
        if event is None:
            raise NotFound("No such event.")
        return event


class Event(models.Model):
    class OrphanMode(models.TextChoices):
        """Whether a hold may leave one empty seat alone between others (docs/BEST_AVAILABLE.md)."""

        OFF = "off"
        LENIENT = "lenient"
        STRICT = "strict"

    name = models.CharField(max_length=200)
    venue = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    # The room it is sold in; none for a plain grid (the seat map then draws rows of buttons).
    layout = models.ForeignKey(
        VenueLayout, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    orphan_mode = models.CharField(
        max_length=10, choices=OrphanMode.choices, default=OrphanMode.OFF
    )
    # What its prices are in (ISO 4217): the client formats them with it.
    currency = models.CharField(
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", "A currency is an ISO 4217 code, e.g. EUR.")],
    )
    # The most seats one account may hold and own together (rules.purchase_limit_of); none:
    # SEAT_PURCHASE_LIMIT.
    purchase_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="The most seats of this event one account may hold and have booked together; "
        "empty: the site's default (SEAT_PURCHASE_LIMIT).",
    )
    holds_need_verified_email = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Only buyers who confirmed their e-mail address may hold seats of this event.",
    )
    # The rules of holds per network (rules.py "Holds per address"): the organiser's to turn on.
    holds_limited_per_network = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Count holds per client network as well as per account: one network (an IPv4 "
        "address, an IPv6 /64) holds at most SEAT_ADDRESS_HOLD_LIMIT seats at once, and a seat "
        "one of its accounts lets go is not given to another of them for "
        "SEAT_HOLD_COOLDOWN_SECONDS. It stops one person with many accounts; its cost: buyers "
        "who share an address (a household, a venue's Wi-Fi, a mobile carrier's shared address "
        "with thousands of strangers on it) share one cap, and at the busiest minute of an "
        "on-sale some of them are refused seats they never held.",
    )

    class PaidWith(models.TextChoices):
        """How its buyers pay online (payments/providers.py); none: a booking is sold at once."""

        NOTHING = "", "Nothing: a booking is sold at once (free, or paid elsewhere)"
        VENUE = "venue", "At the venue or by invoice, settled in the console"
        STRIPE = "stripe", "Stripe Checkout"

    paid_with = models.CharField(
        max_length=6, choices=PaidWith.choices, blank=True, default="", db_default=""
    )
    # How long a buyer has to pay after their hold's end; none: PAY_WINDOW_SECONDS.
    pay_window_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(60)],
        help_text="How long a buyer has to pay, counted from their hold's end; empty: the "
        "site's default (PAY_WINDOW_SECONDS).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Grows by one in every transaction that changes what GET .../map/ shows of its seats
    # (categories, prices, blocks: services/map_version.py); it names the cached document.
    map_version = models.PositiveIntegerField(default=0)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        # Its sales and its ledger name buyers and what they paid (reservations/exports.py).
        # The organiser's roles (docs/API.md "The organiser's console"; migration 0019's groups).
        permissions = [
            ("export_event", "Can export an event's sales and ledger"),
            ("view_console", "Can watch an event's sale in the console"),
            ("keep_seats", "Can keep back, kill and release seats"),
            ("sell_at_box_office", "Can sell seats at the box office"),
            ("change_bookings", "Can reseat and refund bookings"),
            ("scan_tickets", "Can scan tickets at the door"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_at:%Y-%m-%d})"


class PriceCategory(models.Model):
    """A price level of one event. Its seats carry a copy of `price` (services/categories.py
    writes both); a booking keeps the price it was sold at, whatever happens here later."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=50)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    colour = models.CharField(
        max_length=7, validators=[RegexValidator(r"^#[0-9a-f]{6}$", "A colour is #rrggbb.")]
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "price categories"
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="category_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.price})"


class Seat(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available"
        LOCKED = "locked"
        PAYING = "paying"  # in an order awaiting payment (payments/): neither free nor sold
        RESERVED = "reserved"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="seats")
    section = models.CharField(max_length=50, default="Floor")
    row = models.CharField(max_length=10)
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=20)
    # RESTRICT, not PROTECT: a category with seats is never deleted alone, but goes with its event.
    category = models.ForeignKey(PriceCategory, on_delete=models.RESTRICT, related_name="seats")
    # Always the category's price (services/categories.py keeps it so): the hold and book paths
    # read one row, not a join, and a booking copies it into ReservedSeat.price.
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    # Where the seat stands on its layout's plan (0, 0 on a grid event, which has no plan).
    x = models.FloatField(default=0)
    y = models.FloatField(default=0)
    rotation = models.FloatField(default=0)
    accessible = models.BooleanField(default=False)  # a wheelchair space or seat
    companion = models.BooleanField(default=False)  # beside an accessible one
    restricted_view = models.BooleanField(default=False)
    aisle = models.BooleanField(default=False)

    class OffSale(models.TextChoices):
        """Why a blocked seat is off sale (services/blocking.py)."""

        KEPT = "kept"  # kept back for a purpose (press, a sponsor), to be let go later
        KILLED = "killed"  # never for sale (a camera position, a broken seat)

    # Off sale: status "reserved" with nobody's reservation; `off_sale` says which kind.
    blocked = models.BooleanField(default=False)
    off_sale = models.CharField(max_length=6, choices=OffSale.choices, blank=True, db_default="")
    blocked_purpose = models.CharField(max_length=50, blank=True, db_default="")  # "press"
    blocked_reason = models.CharField(max_length=200, blank=True)  # staff only
    blocked_until = models.DateTimeField(null=True, blank=True)  # a kept seat goes on sale then
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_until = models.DateTimeField(null=True, blank=True)
    # When the current hold began: an extension never takes it past SEAT_HOLD_MAX_SECONDS.
    held_since = models.DateTimeField(null=True, blank=True)
    # The current hold's client network (client_address.holds_key; rules.py); NULL: none.
    held_from = models.CharField(max_length=64, null=True, blank=True)
    reserved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last hold that ended (released or lapsed): whose, when it began and was to end, from
    # where: its run goes on in the buyer's next holds; its network's others wait (rules.py).
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_held_since = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_from = models.CharField(max_length=64, null=True, blank=True)
    # Grows by one with every committed change of this seat (PROTOCOL.md "Ordering and gaps").
    version = models.PositiveIntegerField(default=0)

    class Meta:
        # Seats are created in layout order (section, row, number), so id order is layout order.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "label"], name="seat_label_unique_per_event"),
            models.CheckConstraint(
                condition=(
                    Q(status="available", held_by__isnull=True, reserved_by__isnull=True)
                    | Q(status="locked", held_by__isnull=False, held_until__isnull=False)
                    | Q(status="paying", held_by__isnull=True, reserved_by__isnull=False)
                    | Q(status="reserved", held_by__isnull=True)
                ),
                name="seat_status_matches_holder",
            ),
            models.CheckConstraint(
                condition=Q(blocked=False) | Q(status="reserved", reserved_by__isnull=True),
                name="blocked_seat_off_sale",
            ),
            models.CheckConstraint(
                condition=Q(blocked=False, off_sale="")
                | Q(blocked=True, off_sale__in=["kept", "killed"]),
                name="blocked_seat_says_how",
            ),
        ]
        indexes = [
            # The sweeper's scan and the hold-limit count.
            models.Index(
                fields=["held_until"], name="seat_held_until", condition=Q(status="locked")
            ),
            models.Index(
                fields=["event", "held_by"], name="seat_holds", condition=Q(status="locked")
            ),
            # The live holds taken from one network, for its cap (sql.buyer_state).
            models.Index(
                fields=["event", "held_from"],
                name="seat_holds_from",
                condition=Q(status="locked", held_from__isnull=False),
            ),
            # A buyer's holds that ended lately, for their run of holds (sql.buyer_state).
            models.Index(
                fields=["event", "released_by"],
                name="seat_released",
                condition=Q(released_by__isnull=False),
            ),
            # A buyer's booked seats of an event, for the purchase limit (sql.buyer_state).
            models.Index(
                fields=["event", "reserved_by"],
                name="seat_booked",
                condition=Q(reserved_by__isnull=False),
            ),
            # Best available's read of the seats gone so far (booking/sql/ taken_seats).
            models.Index(fields=["event"], name="seat_taken", condition=~Q(status="available")),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.section})"


class Reservation(models.Model):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment"  # its seats are `paying` until `pay_by`
        CONFIRMED = "confirmed"
        CANCELLED = "cancelled"
        EXPIRED = "expired"  # not paid by `pay_by`: its seats went back on sale

    class Channel(models.TextChoices):
        ONLINE = "online"  # the buyer's own account
        BOX_OFFICE = "box_office"  # sold by staff to a walk-in: no account (`user` null)

    class Payment(models.TextChoices):
        CASH = "cash"
        CARD = "card"
        COMP = "comp"  # given away

    # The buyer's account; none for a box-office sale (its buyer is `buyer_name`/`buyer_email`).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reservations",
    )
    # Defaults in the database too: the booking steps insert a reservation in raw SQL.
    channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.ONLINE, db_default=Channel.ONLINE
    )
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    buyer_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    buyer_email = models.EmailField(blank=True, default="", db_default="")
    payment = models.CharField(
        max_length=4, choices=Payment.choices, blank=True, default="", db_default=""
    )
    # What the buyer paid (online: the total as sold; at the box office: what staff took, a
    # comp's nothing) and what was given back since: money.py reads the sale's takings of them.
    amount_taken = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    refunded = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="reservations")
    seats = models.ManyToManyField(Seat, through="ReservedSeat", related_name="reservations")
    total_price = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.CONFIRMED, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # An order awaiting payment: paid by then, or its seats go back on sale (payments/).
    pay_by = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The confirmation e-mails' sender reads the last day's bookings every few seconds
            # (confirmations/sending.py): without it, a scan of a season's bookings each time.
            models.Index(fields=["created_at"], name="reservation_created"),
            # The sweeper's scan of pay windows ending (payments/settling.py).
            models.Index(
                fields=["pay_by"],
                name="reservation_pay_by",
                condition=Q(status="awaiting_payment"),
            ),
            # The sweeper's look for money to give back through a provider (payments/settling.py
            # `refunds_send`): only bookings that gave some back, a few of a sale's.
            models.Index(fields=["id"], name="reservation_refunded", condition=Q(refunded__gt=0)),
        ]

    def __str__(self) -> str:
        return f"Reservation {self.pk} ({self.status})"


class EventStaff(models.Model):
    """A console role on one event only (roles.py): an organiser's staff for their own event. A
    role given as a group (the admin's user page) applies to every event of the instance."""

    class Role(models.TextChoices):
        BOX_OFFICE = "Box office"
        MANAGER = "Manager"
        DOOR = "Door"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        verbose_name_plural = "event staff"
        constraints = [
            models.UniqueConstraint(fields=["event", "user", "role"], name="event_staff_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class ReservedSeat(models.Model):
    """A seat in a reservation, with the price it was sold at.

    The partial unique constraint is the database's own guarantee that a seat is never in two
    confirmed reservations, beneath the row locks of the services.
    """

    reservation = models.ForeignKey(
        Reservation, on_delete=models.CASCADE, related_name="reserved_seats"
    )
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="reserved_seats")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    is_active = models.BooleanField(default=True)

    class Ended(models.TextChoices):
        """How a seat left its booking ("": it has not)."""

        MOVED = "moved"  # reseated to another seat by staff
        REFUNDED = "refunded"  # given back by staff, with what was refunded
        CANCELLED = "cancelled"  # the buyer cancelled the booking
        EXPIRED = "expired"  # its order was not paid in time

    ended = models.CharField(
        max_length=9, choices=Ended.choices, blank=True, default="", db_default=""
    )
    # A reseat's new ticket names its holder's first one: whether they are inside is the last
    # scan of either (tickets/door.py), so a holder moved while inside is not let in twice.
    moved_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["seat_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat"], condition=Q(is_active=True), name="seat_sold_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat_id} in reservation {self.reservation_id}"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` of a reserve request, per user, kept at least 24 hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    # Null only inside the transaction that claimed the key; committed keys always have one.
    reservation = models.ForeignKey(
        Reservation, null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self) -> str:
        return self.key


# The tables of accounts and logins, the ledger, the waiting room and webhooks live in their own
# packages; Django registers an app's models from this module.
from .accounts.models import Account, RefreshFamily  # noqa: E402, F401
from .confirmations.models import ConfirmationEmail  # noqa: E402, F401
from .ledger.models import SeatChange  # noqa: E402, F401
from .payments.models import Payment  # noqa: E402, F401
from .tickets.models import CheckIn, GateCount, TicketKey  # noqa: E402, F401
from .waiting_room.models import QueueEntry, WaitingRoom, new_draw_seed  # noqa: E402, F401
from .webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage  # noqa: E402, F401
