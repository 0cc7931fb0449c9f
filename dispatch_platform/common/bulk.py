"""Inserting many rows of one table quickly (bulk intake: thousands of tickets, clocks and audit events).

Django's `bulk_create` spends most of its time in Python: a model instance per row, then every value
prepared field by field and quoted into the statement's arrays (~75 µs a row here). On PostgreSQL,
`COPY` takes rows in psycopg's C code at a fraction of that. `COPY FROM` is refused on tables under
row-level security, which every tenant table has (FORCE'd), so the rows are copied into a temporary
table of the same columns and moved with one `INSERT … SELECT`: the policies check that insert like any
other, and constraints, defaults and triggers apply as usual.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from django.db import connection, models, transaction
from django.utils import timezone

# Below this many rows the temporary table's two extra statements cost more than they save.
COPY_FROM_ROWS = 200

_names = itertools.count()


def rows_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence],
                *, returning: Sequence[str] = ()) -> list[tuple]:
    """Inserts `rows`, each a sequence of Python values in the order of `columns` (field attnames, such as
    `ticket_id`; values as the model holds them: dicts for JSON, aware datetimes). Model `save()` and
    signals are bypassed; auto_now fields are set to now, other fields left out get no Python-side default.

    Ids ascend in the order of `rows`. Returns the `returning` attnames of the inserted rows, in no promised
    order: callers match them on a key of their own (a unique number, a (ticket, kind) pair)."""
    stamped = [f.attname for f in _stamped_fields(model)]
    if set(stamped) & set(columns):
        raise ValueError(f"{', '.join(stamped)} are set to now by rows_insert")
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return []
    if not _worth_copying(rows):
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs)
        return [tuple(getattr(obj, name) for name in returning) for obj in objs]
    now = timezone.now()
    stamps = [now] * len(stamped)
    return _copy_insert(model, [*columns, *stamped], [[*row, *stamps] for row in rows], returning)


def objects_insert(objs: list[models.Model], *, key: Sequence[str]) -> None:
    """Inserts new model instances as `bulk_create` would (auto_now fields filled in) and sets their primary
    keys, matched on `key`: attnames whose values tell the instances apart (a ticket's number). Where they
    do not (two events of one ticket with the same name), `bulk_create` does it."""
    if not objs:
        return
    model = type(objs[0])
    # As text: a choices enum member and the plain string it came back as hash differently.
    by_key = {tuple(str(getattr(obj, name)) for name in key): obj for obj in objs}
    if not _worth_copying(objs) or len(by_key) < len(objs):
        model.objects.bulk_create(objs)
        return
    stamped = _stamped_fields(model)
    for obj in objs:
        for field in stamped:
            field.pre_save(obj, add=True)
    columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    inserted = _copy_insert(model, columns, [[getattr(obj, name) for name in columns] for obj in objs],
                            [model._meta.pk.attname, *key])
    for pk, *values in inserted:
        obj = by_key[tuple(str(v) for v in values)]
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


def _stamped_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]


def _worth_copying(rows: list) -> bool:
    return connection.vendor == "postgresql" and len(rows) >= COPY_FROM_ROWS


@transaction.atomic(savepoint=False)
def _copy_insert(model, attnames: Sequence[str], rows: list[Sequence], returning: Sequence[str]) -> list[tuple]:
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in attnames]
    returning = [model._meta.get_field(name).column for name in returning]
    table = quote(model._meta.db_table)
    # ON COMMIT DROP: the table lives as long as this transaction (atomic above makes sure there is one).
    temp = quote(f"bulk_{model._meta.db_table}_{next(_names)}")
    column_list = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
                       f"SELECT {column_list} FROM {table} WITH NO DATA")
        cursor.execute("SELECT atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                       "ORDER BY attnum", [temp])
        types = [oid for (oid,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {temp} ({column_list}) FROM STDIN") as copy:
            # Typed by the table's own columns: psycopg then dumps dicts as jsonb, datetimes as timestamptz.
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
        # In the order copied (a fresh table's physical order): ids ascend as the rows were given, as they
        # do with bulk_create (an audit trail's order, webhook deliveries' order per ticket).
        sql = f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {temp} ORDER BY ctid"
        if returning:
            cursor.execute(f"{sql} RETURNING {', '.join(quote(c) for c in returning)}")
            return [tuple(row) for row in cursor.fetchall()]
        cursor.execute(sql)
        return []


def remember_related(instance: models.Model, related_name: str, objs: list[models.Model]) -> None:
    """Makes `instance.<related_name>.all()` answer `objs` without a query, exactly as prefetch_related
    leaves it: for rows just inserted, which the caller would otherwise read straight back."""
    manager = getattr(instance, related_name)
    queryset = manager.get_queryset()
    queryset._result_cache, queryset._prefetch_done = list(objs), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[manager.field.remote_field.cache_name] = queryset
