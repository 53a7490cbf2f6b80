"""Creating many new rows at once: `insert(model, objs)`.

Django's `bulk_create` builds one `INSERT ... VALUES` with a parameter for every value and
answers the new pks through `RETURNING`. For tens of thousands of rows (an import of a whole
directory) most of its time is spent building that statement in Python. On PostgreSQL `insert`
takes the pks from the table's own sequence first and then sends the rows with `COPY`, which
psycopg formats in C; elsewhere it is `bulk_create`. Either way, like `bulk_create`: no
`save()`, no signals, and afterwards every object has its pk and counts as saved.
"""

import decimal
import uuid
from collections.abc import Iterable

from django.db import connection, models

BATCH = 2000


def insert(model: type[models.Model], objs: Iterable[models.Model]) -> None:
    """Create the objects, which are all new, and give each its pk."""
    objs = list(objs)
    if not objs:
        return
    meta = model._meta
    numbered = isinstance(meta.pk, models.AutoField)  # Big and Small ones too
    for obj in objs:
        if not obj._state.adding or (numbered and obj.pk is not None):
            raise ValueError(f"{model.__name__} {obj.pk} is not new")
    if connection.vendor != "postgresql" or not numbered:
        if connection.features.can_return_rows_from_bulk_insert:
            model.objects.bulk_create(objs, batch_size=BATCH)
        else:  # pragma: no cover - SQLite before 3.35
            for obj in objs:
                obj.save(force_insert=True)
        return
    for obj in objs:
        # A foreign key to an object saved since it was set takes that object's pk now.
        obj._prepare_related_fields_for_save(operation_name="insert")
    pk = meta.pk
    fields = [field for field in meta.concrete_fields if field is not pk]
    prepared = [_needs_preparing(field) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in (pk, *fields))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        for obj, (number,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, number)
        sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for obj in objs:
                row = [obj.pk]
                for field, prepare in zip(fields, prepared, strict=True):
                    value = getattr(obj, field.attname)
                    if prepare or type(value) not in _PLAIN:
                        value = field.get_db_prep_save(field.pre_save(obj, True), connection)
                    row.append(value)
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


# Fields whose value, when it is one of the plain types below, psycopg sends as it is: the
# ORM's preparation changes nothing, and skipping it halves the time. (Not dates and times of
# day, which `auto_now` may set on saving.)
_PLAIN = {str, int, bool, decimal.Decimal, uuid.UUID, type(None)}
_AS_THEY_ARE = {
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DecimalField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
    "UUIDField",
}


def _needs_preparing(field: models.Field) -> bool:
    """Whether the field's value goes through `get_db_prep_save` (and `pre_save`, for
    `auto_now` dates): a date or time of day that may be set on saving, JSON, anything
    unusual. A foreign key is its target's pk."""
    if field.is_relation:
        return _needs_preparing(field.target_field)
    if isinstance(field, models.AutoField):
        return False  # a whole number from the database
    if type(field).get_db_prep_save is not models.Field.get_db_prep_save:
        return True
    return field.get_internal_type() not in _AS_THEY_ARE
