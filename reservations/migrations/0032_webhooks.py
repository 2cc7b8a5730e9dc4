from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0031_accounts"),
    ]

    operations = []
