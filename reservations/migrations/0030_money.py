from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0029_event_holds_need_verified_email"),
    ]

    operations = []
