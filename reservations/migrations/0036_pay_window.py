import importlib

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

# SQLite adds columns by making the tables again, which the webhook triggers (0022) and the
# ledger's (0020) name, and PostgreSQL will not widen a column a trigger reads (the
# reservation's status): they are dropped for the while and made again after.
webhooks = importlib.import_module("reservations.migrations.0022_webhooks")
ledger = importlib.import_module("reservations.migrations.0020_ledger_names_box_office_bookings")

# The ledger names the order of a seat `paying` as of one `reserved`: 0020's trigger, with the
# new state beside the old wherever it looks for a seat's reservation.
PAYING_TOO = {
    "NEW.status = 'reserved'": "NEW.status IN ('reserved', 'paying')",
    "OLD.status = 'reserved'": "OLD.status IN ('reserved', 'paying')",
}


def _paying_too(text: str) -> str:
    for old, new in PAYING_TOO.items():
        assert old in text
        text = text.replace(old, new)
    return text


def ledger_trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS reservations_seat_change;", params=None)


def ledger_trigger_without_paying(apps, schema_editor):
    """Back to 0020's: its function on PostgreSQL; on SQLite, dropped till the tables are back."""
    if schema_editor.connection.vendor == "postgresql":
        ledger.trigger_replace(apps, schema_editor)
    else:
        ledger_trigger_drop(apps, schema_editor)


def ledger_trigger_with_paying(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_paying_too(ledger.POSTGRES_FUNCTION), params=None)
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS reservations_seat_change;", params=None)
        schema_editor.execute(_paying_too(ledger.SQLITE_TRIGGER), params=None)


def on_sqlite(step):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            step(apps, schema_editor)

    return run


class Migration(migrations.Migration):
    """The pay window (reservations/payments/): an event's way of being paid online, an order
    awaiting payment and its seats `paying`, each attempt and refund a Payment."""

    dependencies = [
        ("reservations", "0035_event_network_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(webhooks.triggers_drop, webhooks.triggers_create),
        migrations.RunPython(ledger_trigger_drop, on_sqlite(ledger.trigger_replace)),
        migrations.CreateModel(
            name="Payment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("provider", models.CharField(max_length=6)),
                (
                    "kind",
                    models.CharField(
                        choices=[("payment", "Payment"), ("refund", "Refund")],
                        default="payment",
                        max_length=7,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("started", "Started"),
                            ("paid", "Paid"),
                            ("cancelled", "Cancelled"),
                            ("refunded", "Refunded"),
                            ("failed", "Failed"),
                        ],
                        default="started",
                        max_length=9,
                    ),
                ),
                ("reference", models.CharField(blank=True, default="", max_length=200)),
                ("settled_reference", models.CharField(blank=True, default="", max_length=200)),
                ("url", models.URLField(blank=True, default="", max_length=1000)),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=12),
                ),
                ("late", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("settled_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="seat",
            name="seat_status_matches_holder",
        ),
        migrations.AddField(
            model_name="event",
            name="paid_with",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Nothing: a booking is sold at once (free, or paid elsewhere)"),
                    ("venue", "At the venue or by invoice, settled in the console"),
                    ("stripe", "Stripe Checkout"),
                ],
                db_default="",
                default="",
                max_length=6,
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="pay_window_seconds",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="How long a buyer has to pay, counted from their hold's end; empty: the site's default (PAY_WINDOW_SECONDS).",
                null=True,
                validators=[django.core.validators.MinValueValidator(60)],
            ),
        ),
        migrations.AddField(
            model_name="reservation",
            name="pay_by",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="reservation",
            name="status",
            field=models.CharField(
                choices=[
                    ("awaiting_payment", "Awaiting Payment"),
                    ("confirmed", "Confirmed"),
                    ("cancelled", "Cancelled"),
                    ("expired", "Expired"),
                ],
                db_index=True,
                default="confirmed",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="reservedseat",
            name="ended",
            field=models.CharField(
                blank=True,
                choices=[
                    ("moved", "Moved"),
                    ("refunded", "Refunded"),
                    ("cancelled", "Cancelled"),
                    ("expired", "Expired"),
                ],
                db_default="",
                default="",
                max_length=9,
            ),
        ),
        migrations.AlterField(
            model_name="seat",
            name="status",
            field=models.CharField(
                choices=[
                    ("available", "Available"),
                    ("locked", "Locked"),
                    ("paying", "Paying"),
                    ("reserved", "Reserved"),
                ],
                default="available",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="seatchange",
            name="via",
            field=models.CharField(
                choices=[
                    ("online", "Online"),
                    ("admin", "Admin"),
                    ("console", "Console"),
                    ("box_office", "Box Office"),
                    ("sweeper", "Sweeper"),
                    ("venue", "Venue"),
                    ("stripe", "Stripe"),
                    ("command", "Command"),
                    ("unknown", "Unknown"),
                    ("baseline", "Baseline"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="reservation",
            index=models.Index(
                condition=models.Q(("status", "awaiting_payment")),
                fields=["pay_by"],
                name="reservation_pay_by",
            ),
        ),
        migrations.AddIndex(
            model_name="reservation",
            index=models.Index(
                condition=models.Q(("refunded__gt", 0)),
                fields=["id"],
                name="reservation_refunded",
            ),
        ),
        migrations.AddConstraint(
            model_name="seat",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("held_by__isnull", True),
                        ("reserved_by__isnull", True),
                        ("status", "available"),
                    ),
                    models.Q(
                        ("held_by__isnull", False),
                        ("held_until__isnull", False),
                        ("status", "locked"),
                    ),
                    models.Q(
                        ("held_by__isnull", True),
                        ("reserved_by__isnull", False),
                        ("status", "paying"),
                    ),
                    models.Q(("held_by__isnull", True), ("status", "reserved")),
                    _connector="OR",
                ),
                name="seat_status_matches_holder",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="reservation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="reservations.reservation",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "payment"), ("state", "started")),
                fields=("reservation",),
                name="payment_one_started",
            ),
        ),
        migrations.RunPython(ledger_trigger_with_paying, ledger_trigger_without_paying),
        migrations.RunPython(webhooks.triggers_create, webhooks.triggers_drop),
    ]
