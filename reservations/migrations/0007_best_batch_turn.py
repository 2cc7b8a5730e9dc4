"""Best available's turn between server processes (services/sql.py, ``best_batch_turn``): the
event's advisory lock, waited for at most a given time. A PL/pgSQL function, because only its
exception block can catch a lock wait that ran out and let the transaction go on. PostgreSQL
only: SQLite's write transactions are serial, and the runner does not send it there."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION best_batch_turn(key bigint, patience_ms integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  previous text := current_setting('lock_timeout');
BEGIN
  PERFORM set_config('lock_timeout', patience_ms::text, true);
  PERFORM pg_advisory_xact_lock(key);
  PERFORM set_config('lock_timeout', previous, true);
  RETURN true;
EXCEPTION WHEN lock_not_available THEN
  RETURN false;  -- the block's settings went with it
END $$
"""

DROP = "DROP FUNCTION IF EXISTS best_batch_turn(bigint, integer)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reservations", "0006_seat_taken_index")]

    operations = [migrations.RunPython(create, drop)]
