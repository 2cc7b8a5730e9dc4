import importlib

import django.db.models.deletion
from django.db import migrations, models

# The Manager role may scan tickets too (reservations/roles.py): its group gains the permission.
roles = importlib.import_module("reservations.migrations.0019_organiser_roles")


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0037_tickets"),
    ]

    operations = [
        migrations.CreateModel(
            name="GateCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("gate", models.CharField(max_length=50)),
                ("entered", models.PositiveIntegerField(default=0)),
                ("left", models.PositiveIntegerField(default=0)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reservations.event",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("event", "gate"), name="gate_count_once")
                ],
            },
        ),
        migrations.RunPython(roles.roles_create, migrations.RunPython.noop),
    ]
