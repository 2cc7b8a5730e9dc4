from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reservations", "0007_best_batch_turn")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="map_version",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
