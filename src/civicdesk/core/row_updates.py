"""Many rows, each with its own values, updated by one UPDATE ... FROM (VALUES ...) on SQLite and PostgreSQL.

Django's `bulk_update` builds a CASE WHEN expression per row and field, which costs more CPU than the rows' inserts
did (about 1.5 ms a row for five fields). Here the values travel as one VALUES list joined on the primary key;
`same` sets values shared by every row. Both engines name a VALUES list's columns column1, column2, ...
On PostgreSQL each value is cast to its column's type, so a column of only NULLs still has one; SQLite needs none.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models

BATCH = 500  # rows per statement: PostgreSQL takes 65,535 parameters, SQLite 32,766


def update_rows(model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str],
                same: Mapping[str, Any] | None = None) -> int:
    """Write `fields` of each of `rows` (model instances with their pk, each row once), and `same` on all of them;
    the number of rows updated."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [_concrete(model, name) for name in fields]
    shared = [(_concrete(model, name), value) for name, value in (same or {}).items()]
    assignments = [f"{quote(field.column)} = {_typed(field, f'v.column{index}')}"
                   for index, field in enumerate(columns, start=2)]
    assignments += [f"{quote(field.column)} = %s" for field, _value in shared]
    shared_params = [field.get_db_prep_save(value, connection) for field, value in shared]
    key = _concrete(model, meta.pk.name)
    table, pk = quote(meta.db_table), quote(key.column)
    placeholders = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    updated = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        params: list[Any] = list(shared_params)
        for row in chunk:
            params.append(row.pk)
            params += [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns]
        sql = (f"UPDATE {table} SET {', '.join(assignments)} "
               f"FROM (VALUES {', '.join([placeholders] * len(chunk))}) AS v "
               f"WHERE {table}.{pk} = {_typed(key, 'v.column1')}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            updated += cursor.rowcount
    return updated


def _concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def _typed(field: models.Field[Any, Any], expression: str) -> str:
    if connection.vendor != "postgresql":
        return expression
    return f"CAST({expression} AS {field.db_type(connection)})"
