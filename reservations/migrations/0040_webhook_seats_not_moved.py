import importlib
import re

from django.db import migrations

webhooks = importlib.import_module("reservations.migrations.0022_webhooks")

# A message lists the reservation's seats but those a reseat moved it from (it lists their new
# ones): a cancellation, the seats it gave back (docs/LEDGER.md "Webhooks"). 0022's triggers,
# with that one condition more wherever they read the seats; and on SQLite, a reseat's new seat
# (`moved_from`) is not a booking's seat written after its row: it writes its message again no
# more than PostgreSQL's deferred trigger does.
SEATS = re.compile(r"WHERE b\.reservation_id = \w+\.id")
BOOKED_SEAT = (
    "FOR EACH ROW WHEN NEW.is_active\n",
    "FOR EACH ROW WHEN NEW.is_active AND NEW.moved_from_id IS NULL\n",
)


def _not_moved(text: str) -> str:
    assert SEATS.search(text)
    return SEATS.sub(lambda found: f"{found[0]} AND b.ended <> 'moved'", text).replace(*BOOKED_SEAT)


def triggers_not_moved(apps, schema_editor):
    webhooks.triggers_drop(apps, schema_editor)
    for statement in webhooks.TRIGGERS[schema_editor.connection.vendor][0]:
        schema_editor.execute(_not_moved(statement), params=None)


def triggers_of_0022(apps, schema_editor):
    webhooks.triggers_drop(apps, schema_editor)
    webhooks.triggers_create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0039_reseat_keeps_holder"),
    ]

    operations = [migrations.RunPython(triggers_not_moved, triggers_of_0022)]
