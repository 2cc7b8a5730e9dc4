import importlib

from django.db import migrations, models

# SQLite adds a column by making the endpoint table again, which its webhook triggers (0022)
# name: they are dropped for the while and made again after.
webhooks = importlib.import_module("reservations.migrations.0022_webhooks")


def on_sqlite(step):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            step(apps, schema_editor)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0031_accounts"),
    ]

    operations = [
        migrations.RunPython(
            on_sqlite(webhooks.triggers_drop), on_sqlite(webhooks.triggers_create)
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret_until",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(
            on_sqlite(webhooks.triggers_create), on_sqlite(webhooks.triggers_drop)
        ),
    ]
