import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Every seat is in a category (0004 gave the older ones theirs)."""

    dependencies = [("reservations", "0004_categories_from_prices")]

    operations = [
        migrations.AlterField(
            model_name="seat",
            name="category",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="seats",
                to="reservations.pricecategory",
            ),
        ),
    ]
