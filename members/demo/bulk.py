"""Bulk inserts for seed data: `COPY` on PostgreSQL (ids drawn from the table's sequence first when the caller
needs them), `bulk_create` elsewhere. Only for seed bookkeeping: no signals, no `save()`, no validation."""

import datetime as dt
import io
from collections.abc import Sequence

from django.db import connection

BATCH = 5000


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _field(model, name):
    """A field by name or attname (`user` or `user_id`)."""
    return next(f for f in model._meta.concrete_fields if name in (f.name, f.attname))


def insert_rows(model, fields: Sequence[str], rows: list[tuple]) -> None:
    """Insert rows whose ids nobody needs back: `COPY` on PostgreSQL, `bulk_create` elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        names = [_field(model, name).attname for name in fields]
        model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=BATCH)
        return
    columns = [_field(model, name).column for name in fields]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN"
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)


def insert_objects(model, objs: list) -> list:
    """Insert unsaved model instances and give them their ids: on PostgreSQL the ids are drawn from the
    table's sequence and the rows sent with `COPY` (several times faster than `bulk_create` at 100,000 rows);
    elsewhere `bulk_create`."""
    if not objs or connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=BATCH)
    table = model._meta.db_table
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(objs)],
        )
        for obj, (new_id,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, new_id)
    fields = [f.attname for f in model._meta.concrete_fields]
    insert_rows(model, fields, [tuple(getattr(obj, name) for name in fields) for obj in objs])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
