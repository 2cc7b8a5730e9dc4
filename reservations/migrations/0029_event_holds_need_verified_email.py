import importlib

from django.db import migrations, models

# SQLite adds a column with a default by making the event table again, which its webhook
# triggers (0022) name: they are dropped for the while and made again after.
webhooks = importlib.import_module("reservations.migrations.0022_webhooks")


def on_sqlite(step):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            step(apps, schema_editor)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0028_seat_held_from"),
    ]

    operations = [
        migrations.RunPython(
            on_sqlite(webhooks.triggers_drop), on_sqlite(webhooks.triggers_create)
        ),
        migrations.AddField(
            model_name="event",
            name="holds_need_verified_email",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="Only buyers who confirmed their e-mail address may hold seats of this "
                "event.",
            ),
        ),
        migrations.RunPython(
            on_sqlite(webhooks.triggers_create), on_sqlite(webhooks.triggers_drop)
        ),
    ]
