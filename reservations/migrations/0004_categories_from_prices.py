from django.db import migrations

# Seats of events made before categories: one category per distinct price, dearest first.
_COLOURS = ["#8e44ad", "#2471a3", "#17a589", "#d68910", "#cb4335", "#7f8c8d"]


def categories_from_prices(apps, schema_editor):
    Event = apps.get_model("reservations", "Event")
    Seat = apps.get_model("reservations", "Seat")
    PriceCategory = apps.get_model("reservations", "PriceCategory")
    for event in Event.objects.all().iterator():
        prices = sorted(
            set(Seat.objects.filter(event=event).values_list("price", flat=True)), reverse=True
        )
        for position, price in enumerate(prices):
            name = "Standard" if len(prices) == 1 else f"Price {position + 1}"
            category = PriceCategory.objects.create(
                event=event,
                name=name,
                price=price,
                colour=_COLOURS[position % len(_COLOURS)],
                position=position,
            )
            Seat.objects.filter(event=event, price=price).update(category=category)


class Migration(migrations.Migration):
    dependencies = [("reservations", "0003_venue_layouts_categories")]

    operations = [migrations.RunPython(categories_from_prices, migrations.RunPython.noop)]
