import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0008_event_map_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RefreshFamily",
            fields=[
                ("id", models.UUIDField(primary_key=True, serialize=False)),
                ("current_jti", models.CharField(max_length=64)),
                ("current_issued_at", models.BigIntegerField()),
                ("previous_jti", models.CharField(blank=True, max_length=64)),
                ("rotated_at", models.DateTimeField(null=True)),
                ("revoked_at", models.DateTimeField(null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="refresh_families",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
