"""Writing many rows at once: PostgreSQL's COPY, or `bulk_create` elsewhere.

COPY streams the rows' values as they are (Decimals, dates and booleans
adapted by psycopg, JSON as its text); `bulk_create` prepares every value of
every row through the model's fields first, which at a full recalculation's
size costs most of the run. SQLite (`make run` without PostgreSQL) keeps
`bulk_create`.
"""

import contextlib
import json
import operator

from django.db import connection, models


def columns(model) -> list:
    """The model's concrete fields the database does not fill itself (not the id)."""
    return [field for field in model._meta.concrete_fields if not field.primary_key]


# JSON as text: the values are trees the code made (no cycles to look for)
_encode = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode
_EMPTY = {dict: "{}", list: "[]"}  # the text of the empty values, not encoded each time
_TEXTS_KEPT = 1000  # distinct small JSON values whose text is kept during one write


def _values(fields):
    """A function giving one object's values in the order of `fields`."""
    get = operator.attrgetter(*(field.attname for field in fields))
    json_at = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    texts = {}  # the text of flat values that recur (a comparison's words, a chart's rules)

    def as_json(value):
        if not value:  # most are empty
            return _EMPTY.get(type(value)) or _encode(value)
        try:
            key = (type(value), tuple(value.items() if isinstance(value, dict) else value))
            return texts[key]
        except TypeError:  # nested: not kept
            return _encode(value)
        except KeyError:
            text = _encode(value)
            if len(texts) < _TEXTS_KEPT:
                texts[key] = text
            return text

    def values(obj):
        row = list(get(obj))
        for i in json_at:
            row[i] = as_json(row[i])
        return row

    return values


@contextlib.contextmanager
def foreign_keys_checked_at_once(cursor):
    """Foreign keys checked as each row goes in, in the block, not at commit:
    Django's are deferred to the commit, and PostgreSQL's queue of checks
    deferred to the end of a transaction grows worse than linearly with the
    rows waiting in it. Deferred again afterwards, as the rest of the
    transaction expects."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def copy_rows(table: str, columns: list[str], rows, cursor=None) -> int:
    """COPY `rows` (sequences of values, in the order of `columns`) into `table`,
    foreign keys checked at once (those of the audit rows its triggers write
    too); how many rows were written."""
    if cursor is None:
        with connection.cursor() as cursor:
            return copy_rows(table, columns, rows, cursor.cursor)
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    written = 0
    # psycopg's own errors, raised as Django's (as every other statement's are)
    with (
        connection.wrap_database_errors,
        foreign_keys_checked_at_once(cursor),
        cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def _copy(table: str, fields, objs, cursor) -> None:
    values = _values(fields)
    copy_rows(table, [field.column for field in fields], (values(obj) for obj in objs), cursor)


def _instances(model, objs) -> list:
    """`objs` as instances of `model`: they may be any objects with its fields."""
    fields = columns(model)
    return [
        obj
        if isinstance(obj, model)
        else model(**{f.attname: getattr(obj, f.attname) for f in fields})
        for obj in objs
    ]


def insert(model, objs) -> None:
    """Insert `objs`: unsaved instances of `model`, or any objects with its fields'
    attributes (`attname`s: `measure_id`, not `measure`)."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(_instances(model, objs), batch_size=2000)
        return
    with connection.cursor() as cursor:
        _copy(model._meta.db_table, columns(model), objs, cursor.cursor)


def replace(model, objs, *, key: tuple[str, ...]) -> None:
    """Insert `objs` (as `insert` does), each replacing the stored row with the
    same `key` fields (a unique constraint's)."""
    fields = columns(model)
    key_columns = [model._meta.get_field(name).column for name in key]
    if connection.vendor != "postgresql":
        attnames = [model._meta.get_field(name).attname for name in key]
        for start in range(0, len(objs), 200):
            stored = models.Q(pk__in=[])
            for obj in objs[start : start + 200]:
                stored |= models.Q(**{name: getattr(obj, name) for name in attnames})
            model.objects.filter(stored).delete()
        model.objects.bulk_create(_instances(model, objs), batch_size=2000)
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    staged_name = f"staged_{model._meta.db_table}"
    staged = quote(staged_name)
    names = ", ".join(quote(field.column) for field in fields)
    matches = " AND ".join(f"t.{quote(c)} = s.{quote(c)}" for c in key_columns)
    with connection.cursor() as cursor:
        # names from the model's own fields, never from input
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staged} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        _copy(staged_name, fields, objs, cursor.cursor)
        cursor.execute(f"DELETE FROM {table} t USING {staged} s WHERE {matches}")  # noqa: S608
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staged}")  # noqa: S608
        cursor.execute(f"DROP TABLE {staged}")
