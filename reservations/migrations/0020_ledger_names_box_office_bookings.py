"""The ledger's trigger finds a change's reservation by the seat's state, not by its buyer's
account: a box-office sale has no account (`reserved_by` null), and its changes must still
name their reservation. A seat off sale is in no reservation."""

from django.db import migrations

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION reservations_seat_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    booking bigint;
BEGIN
    IF NEW.status = 'reserved' AND NOT NEW.blocked THEN
        SELECT reservation_id INTO booking FROM reservations_reservedseat
        WHERE seat_id = NEW.id AND is_active;
    ELSIF OLD.status = 'reserved' AND NOT OLD.blocked THEN
        SELECT reservation_id INTO booking FROM reservations_reservedseat
        WHERE seat_id = OLD.id ORDER BY id DESC LIMIT 1;
    END IF;
    INSERT INTO reservations_seatchange (
        event_id, seat_id, status_before, status_after, version, account_id, actor_id, via,
        reason, reservation_id, held_since, at
    ) VALUES (
        NEW.event_id, NEW.id, OLD.status, NEW.status, NEW.version,
        COALESCE(NEW.held_by_id, NEW.reserved_by_id, OLD.held_by_id, OLD.reserved_by_id),
        NULLIF(current_setting('seatmap.actor', true), '')::bigint,
        COALESCE(NULLIF(current_setting('seatmap.via', true), ''), 'unknown'),
        COALESCE(current_setting('seatmap.reason', true), ''),
        booking, COALESCE(NEW.held_since, OLD.held_since), now());
    RETURN NULL;
END
$$;
"""

SQLITE_TRIGGER = """
CREATE TRIGGER reservations_seat_change AFTER UPDATE OF status, version ON reservations_seat
FOR EACH ROW WHEN OLD.status IS NOT NEW.status OR OLD.version IS NOT NEW.version
BEGIN
    INSERT INTO reservations_seatchange (
        event_id, seat_id, status_before, status_after, version, account_id, actor_id, via,
        reason, reservation_id, held_since, at
    ) VALUES (
        NEW.event_id, NEW.id, OLD.status, NEW.status, NEW.version,
        COALESCE(NEW.held_by_id, NEW.reserved_by_id, OLD.held_by_id, OLD.reserved_by_id),
        seatmap_change('actor'),
        COALESCE(NULLIF(seatmap_change('via'), ''), 'unknown'),
        COALESCE(seatmap_change('reason'), ''),
        CASE
            WHEN NEW.status = 'reserved' AND NOT NEW.blocked THEN (SELECT reservation_id
                FROM reservations_reservedseat WHERE seat_id = NEW.id AND is_active)
            WHEN OLD.status = 'reserved' AND NOT OLD.blocked THEN (SELECT reservation_id
                FROM reservations_reservedseat WHERE seat_id = OLD.id ORDER BY id DESC LIMIT 1)
        END,
        COALESCE(NEW.held_since, OLD.held_since), strftime('%Y-%m-%d %H:%M:%f', 'now'));
END;
"""


def trigger_replace(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
    else:
        # SQLite remade the seat table for 0018's columns, and its triggers went with it.
        schema_editor.execute("DROP TRIGGER IF EXISTS reservations_seat_change;", params=None)
        schema_editor.execute(SQLITE_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [("reservations", "0019_organiser_roles")]

    operations = [
        migrations.RunPython(trigger_replace, migrations.RunPython.noop),
    ]
