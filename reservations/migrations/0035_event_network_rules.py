import importlib

from django.db import migrations, models

# SQLite adds a column with a default by making the event table again, which its webhook
# triggers (0022) name: they are dropped for the while and made again after.
webhooks = importlib.import_module("reservations.migrations.0022_webhooks")

HELP = (
    "Count holds per client network as well as per account: one network (an IPv4 address, an "
    "IPv6 /64) holds at most SEAT_ADDRESS_HOLD_LIMIT seats at once, and a seat one of its "
    "accounts lets go is not given to another of them for SEAT_HOLD_COOLDOWN_SECONDS. It stops "
    "one person with many accounts; its cost: buyers who share an address (a household, a "
    "venue's Wi-Fi, a mobile carrier's shared address with thousands of strangers on it) share "
    "one cap, and at the busiest minute of an on-sale some of them are refused seats they never "
    "held."
)


def on_sqlite(step):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            step(apps, schema_editor)

    return run


class Migration(migrations.Migration):
    """The rules of holds per network become the organiser's, off for a new event. An event
    made before keeps them on, as it was sold until now (its organiser may turn them off): the
    column is added with a default of true, which fills the rows already there without an
    UPDATE (no webhook trigger fires), and then the default becomes false."""

    dependencies = [
        ("reservations", "0034_event_staff"),
    ]

    operations = [
        migrations.RunPython(
            on_sqlite(webhooks.triggers_drop), on_sqlite(webhooks.triggers_create)
        ),
        migrations.AddField(
            model_name="event",
            name="holds_limited_per_network",
            field=models.BooleanField(default=True, help_text=HELP),
        ),
        migrations.AlterField(
            model_name="event",
            name="holds_limited_per_network",
            field=models.BooleanField(db_default=False, default=False, help_text=HELP),
        ),
        migrations.RunPython(
            on_sqlite(webhooks.triggers_create), on_sqlite(webhooks.triggers_drop)
        ),
    ]
