import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The Door role's group with its permission (reservations/roles.py), as 0019 made the others.
roles = importlib.import_module("reservations.migrations.0019_organiser_roles")


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0036_pay_window"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="event",
            options={
                "ordering": ["starts_at", "id"],
                "permissions": [
                    ("export_event", "Can export an event's sales and ledger"),
                    ("view_console", "Can watch an event's sale in the console"),
                    ("keep_seats", "Can keep back, kill and release seats"),
                    ("sell_at_box_office", "Can sell seats at the box office"),
                    ("change_bookings", "Can reseat and refund bookings"),
                    ("scan_tickets", "Can scan tickets at the door"),
                ],
            },
        ),
        migrations.AlterField(
            model_name="eventstaff",
            name="role",
            field=models.CharField(
                choices=[("Box office", "Box Office"), ("Manager", "Manager"), ("Door", "Door")],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="CheckIn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("gate", models.CharField(max_length=50)),
                (
                    "direction",
                    models.CharField(choices=[("entry", "Entry"), ("exit", "Exit")], max_length=5),
                ),
                ("nonce", models.CharField(max_length=64)),
                ("scanned_at", models.DateTimeField()),
                ("at", models.DateTimeField(auto_now_add=True)),
                ("forced", models.BooleanField(default=False)),
                (
                    "actor",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reservations.event",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="check_ins",
                        to="reservations.reservedseat",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
                "indexes": [
                    models.Index(fields=["event", "gate"], name="check_in_gate"),
                    models.Index(fields=["ticket", "-id"], name="check_in_latest"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("nonce",), name="check_in_nonce_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="TicketKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key_id", models.PositiveIntegerField()),
                ("private_key", models.BinaryField()),
                ("public_key", models.BinaryField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
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
                "ordering": ["event", "key_id"],
                "constraints": [
                    models.UniqueConstraint(fields=("event", "key_id"), name="ticket_key_once")
                ],
            },
        ),
        migrations.RunPython(roles.roles_create, migrations.RunPython.noop),
    ]
