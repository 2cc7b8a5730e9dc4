import importlib
from decimal import Decimal

from django.db import migrations, models
from django.db.models import F

# SQLite adds a column by making the table again, which its webhook triggers (0022) name: they
# are dropped for the while and made again after.
webhooks = importlib.import_module("reservations.migrations.0022_webhooks")
# The ledger's trigger on the seat table reads the reserved-seat table, which is made again.
ledger = importlib.import_module("reservations.migrations.0020_ledger_names_box_office_bookings")


def ledger_trigger_drop(apps, schema_editor):
    schema_editor.execute("DROP TRIGGER IF EXISTS reservations_seat_change;", params=None)


def on_sqlite(step):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            step(apps, schema_editor)

    return run


def paid_online(apps, schema_editor):
    """An online booking paid its total; one its buyer cancelled was given it back (the
    console counted it as nothing), unless staff recorded a refund of their own."""
    Reservation = apps.get_model("reservations", "Reservation")
    online = Reservation.objects.filter(channel="online")
    online.update(amount_taken=F("total_price"))
    online.filter(status="cancelled", refunded=0).update(refunded=F("amount_taken"))
    Reservation.objects.filter(amount_taken__isnull=True).update(amount_taken=Decimal("0.00"))


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0029_event_holds_need_verified_email"),
    ]

    operations = [
        migrations.RunPython(
            on_sqlite(webhooks.triggers_drop), on_sqlite(webhooks.triggers_create)
        ),
        migrations.RunPython(on_sqlite(ledger_trigger_drop), on_sqlite(ledger.trigger_replace)),
        migrations.RunPython(paid_online, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reservation",
            name="amount_taken",
            field=models.DecimalField(
                db_default=Decimal("0.00"), decimal_places=2, default=Decimal("0.00"), max_digits=12
            ),
        ),
        migrations.AddField(
            model_name="reservedseat",
            name="ended",
            field=models.CharField(
                blank=True,
                choices=[("moved", "Moved"), ("refunded", "Refunded"), ("cancelled", "Cancelled")],
                db_default="",
                default="",
                max_length=9,
            ),
        ),
        migrations.RunPython(on_sqlite(ledger.trigger_replace), on_sqlite(ledger_trigger_drop)),
        migrations.RunPython(
            on_sqlite(webhooks.triggers_create), on_sqlite(webhooks.triggers_drop)
        ),
    ]
