"""New rows written by one statement, as plain values: the ORM's bulk_create prepared every
field of every row in Python, seconds of CPU for a big room's seats."""

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Model


def columns_with_defaults(model: type[Model], given: Sequence[str]) -> tuple[str, list]:
    """The columns of a write of new `model` rows that gives the fields `given`, in that order,
    then every other column such a row must have (not null, no database default), and those
    columns' values: the model's defaults, as the database takes them."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    others = [
        f
        for name, f in fields.items()
        if name not in given and not f.primary_key and not f.null and not f.has_db_default()
    ]
    columns = ", ".join(fields[name].column for name in (*given, *(f.name for f in others)))
    return columns, [f.get_db_prep_save(f.get_default(), connection) for f in others]


def rows_insert(model: type[Model], given: Sequence[str], rows: Iterable[tuple]) -> None:
    """New `model` rows, in the order given (so id order is that order): each the values of
    the fields `given`, as the database takes them, and the model's defaults for the rest."""
    columns, defaults = columns_with_defaults(model, given)
    marks = ", ".join(["%s"] * (len(given) + len(defaults)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})",
            [(*row, *defaults) for row in rows],
        )
