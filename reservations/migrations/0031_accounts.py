from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0030_money"),
    ]

    operations = []
