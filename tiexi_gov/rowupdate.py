"""A few rows' columns written in one UPDATE (issue 14.3): what `QuerySet.bulk_update` does for a handful of rows,
without building it from Case/When expressions.

Every step that stops a clock writes its two or three rows this way. The ORM's bulk_update compiled a CASE per column
from expression objects on every call, and that cost more CPU than the rest of the clock-closing. Here the statement
is plain SQL: a column every row sets to the same value is one parameter, the others one `CASE id WHEN … THEN … END`.
Values are prepared by each field (`get_db_prep_save`), as the ORM's save prepares them, and the statement goes
through Django's cursor, so its execute wrappers (the page cache's write watch) see it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router


def update_rows(rows: Sequence, fields: Sequence[str]) -> int:
    """Write `fields` of these saved instances of one model in one UPDATE; the number of rows it matched."""
    if not rows:
        return 0
    model = type(rows[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = meta.pk
    ids = [pk.get_db_prep_value(row.pk, connection) for row in rows]
    sets, params = [], []
    for name in fields:
        field = meta.get_field(name)
        values = [field.get_db_prep_save(getattr(row, field.attname), connection) for row in rows]
        column = quote(field.column)
        if all(value == values[0] for value in values[1:]):
            sets.append(f"{column} = %s")
            params.append(values[0])
            continue
        case = f"CASE {quote(pk.column)} {' '.join(['WHEN %s THEN %s'] * len(rows))} END"
        if connection.features.requires_casted_case_in_updates:
            case = f"CAST({case} AS {field.cast_db_type(connection)})"
        sets.append(f"{column} = {case}")
        for row_id, value in zip(ids, values, strict=True):
            params += [row_id, value]
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "
        f"WHERE {quote(pk.column)} IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
        return cursor.rowcount
