"""Multi-row INSERTs for the import's big tables, without the ORM's per-field machinery.

Owns `insert(model, objs)`: store unsaved model instances and set their primary keys, as
`QuerySet.bulk_create` does, in a fraction of its CPU time. Importing a million articles
inserts ~13 million rows (articles, comments, revisions, bylines); `bulk_create` spent ~0.8 ms
an article in its SQL compiler (`prepare_value`, `pre_save_val`, `field_as_sql` for every field
of every row) — more than half the import's budget (docs/performance.md, "Import: where the
time went"). Here the column list and each field's conversion are worked out once per model,
and a value is converted only when the driver would not take it as it is.

Same contract as `bulk_create` for what the importer uses: no signals, no `save()`; fields
with their own `pre_save` (dates with auto_now) run it; related objects must be saved first
(their ids are read from the `_id` attribute). Ids come back with `RETURNING` on SQLite ≥ 3.35
and PostgreSQL, in VALUES order, which is what Django's own bulk_create relies on too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections, models, router
from django.db.models.fields import Field

# Field classes whose values the database drivers take unchanged when the Python value has the
# expected type (anything else goes through the field's own get_db_prep_save).
_PLAIN = {
    models.CharField: str, models.SlugField: str, models.URLField: str, models.TextField: str,
    models.EmailField: str, models.IntegerField: int, models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int, models.SmallIntegerField: int,
    models.BigIntegerField: int, models.BooleanField: bool, models.FloatField: float,
    models.ForeignKey: int, models.OneToOneField: int,
}


def _converter(field: Field, connection) -> Callable:
    plain = _PLAIN.get(type(field))
    prep = field.get_db_prep_save
    if plain is None:
        return lambda value: prep(value, connection)
    if plain is float:
        plain = (float, int)
    return lambda value: value if value is None or isinstance(value, plain) and not (
        plain is int and isinstance(value, bool)) else prep(value, connection)


UNNEST_ROWS = 5000  # rows a statement of one array a column (its parameters do not grow)


def _rows_per_statement(connection, columns: int) -> int:
    # SQLite's default limit is 999 bound parameters a statement (Django assumes the same);
    # PostgreSQL's protocol allows 65,535. Past a few hundred rows a statement, bigger
    # statements gain nothing.
    limit = 999 if connection.vendor == "sqlite" else 65535
    return max(1, min(500, limit // columns))


def _unnest_arrays(connection, fields: list[Field]) -> str:
    """PostgreSQL: `(%s)::type[], ...`, one array parameter a column, for
    `INSERT ... SELECT * FROM UNNEST(...)`; "" where a column cannot be sent that way.

    A multi-row VALUES list has a placeholder a value (10,000 for 500 comments), and
    psycopg splits a query that long on its placeholders anew on every execution (it
    caches only short ones): at 30k articles that was a third of the importing process's
    CPU, before the server parsed and planned the long statement in its turn. The arrays
    make the statement short and the same every time, as Django's own bulk_create does on
    PostgreSQL since 5.2 (its SQLInsertCompiler, whose conditions this follows; the ids come
    back in the arrays' order, which bulk_create relies on too)."""
    if connection.vendor != "postgresql":
        return ""
    types = []
    for field in fields:
        target = field.target_field if field.is_relation else field
        db_type = field.db_type(connection)
        if (hasattr(field, "get_placeholder") or db_type is None
                or target.get_internal_type() not in connection.data_types):
            return ""
        types.append(db_type.split("(")[0])  # varchar[], not varchar(200)[]: no truncation
    return ", ".join(f"(%s)::{db_type}[]" for db_type in types)


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT `objs` (unsaved instances of `model`) and set each one's primary key."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if not (f.primary_key and f.db_returning)]
    attnames = [f.attname for f in fields]
    pre_saved = [(i, f) for i, f in enumerate(fields) if type(f).pre_save is not Field.pre_save]
    convert = [_converter(f, connection) for f in fields]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    returning = f" RETURNING {quote(pk.column)}"
    arrays = _unnest_arrays(connection, fields)
    step = UNNEST_ROWS if arrays else _rows_per_statement(connection, len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), step):
            chunk = objs[start:start + step]
            rows = []
            for obj in chunk:
                values = [getattr(obj, name) for name in attnames]
                for i, field in pre_saved:
                    values[i] = field.pre_save(obj, True)
                rows.append([c(v) for c, v in zip(convert, values)])
            if arrays:
                sql = f"{head} SELECT * FROM UNNEST({arrays}){returning}"
                params = [list(column) for column in zip(*rows)]
            else:
                one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
                sql = f"{head} VALUES {', '.join([one_row] * len(chunk))}{returning}"
                params = [value for row in rows for value in row]
            cursor.execute(sql, params)
            for obj, (new_id,) in zip(chunk, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, new_id)
                obj._state.adding = False
                obj._state.db = connection.alias


@contextmanager
def import_page_cache() -> Iterator[None]:
    """SQLite's page cache at MASTHEAD_SQLITE_IMPORT_CACHE_MB for the length of an import.

    An import is one transaction, so everything it writes stays in the WAL until it commits
    (25 GB for a million articles). Each page the cache does not hold is looked up in the
    WAL's index, whose hash tables are searched from newest to oldest: a miss costs more the
    more the import has written, and with the tools' 8 MB cache the indexes with scattered
    keys (tag links, comment authors, external keys) missed on almost every article. The
    import slowed from 1.3 to 2.1 ms an article between 100k and 1M; with those indexes held
    in cache it stays flat (docs/performance.md, "Import"). The cache is given back after."""
    megabytes = int(settings.MASTHEAD_SQLITE_IMPORT_CACHE_MB)
    if connection.vendor != "sqlite" or megabytes <= 0:
        yield
        return
    with connection.cursor() as cursor:
        before = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(f"PRAGMA cache_size=-{megabytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(before)}")
