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
(their ids are read from the `_id` attribute).

SQLite: multi-row INSERTs, ids back with `RETURNING` (SQLite ≥ 3.35) in VALUES order, which
Django's bulk_create relies on too. PostgreSQL: COPY, with the ids drawn from the table's
sequence first. A multi-row VALUES list there had a placeholder a value (10,000 for 500
comments), which psycopg splits on its placeholders anew on every execution (it caches only
short queries): a third of the importing process's CPU at 30k articles. One typed array a
column (`INSERT … SELECT FROM UNNEST`, as bulk_create does since Django 5.2) removed that but
quoted each array in Python; COPY writes the rows in psycopg's C code and the server loads
them without parsing a statement. 30k articles and 150k comments into a fresh database
(beside a related-lists rebuild, alternating): VALUES 56.8 / 59.7 s, UNNEST 49.9-61.6 s,
COPY 43.2 / 50.5 s, and the importing process's CPU 40-42, 33-38 and 28-33 s.
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


COPY_ROWS = 5000  # rows a COPY: its cost does not grow with the row's placeholders


def _rows_per_statement(connection, columns: int) -> int:
    # SQLite's default limit is 999 bound parameters a statement (Django assumes the same);
    # PostgreSQL's protocol allows 65,535 (its rows come here only where COPY cannot take
    # them). Past a few hundred rows a statement, bigger statements gain nothing.
    limit = 999 if connection.vendor == "sqlite" else 65535
    return max(1, min(500, limit // columns))


def _copyable(connection, meta, fields: list[Field]) -> bool:
    """Whether PostgreSQL's COPY can take these rows: ids from the table's sequence, and
    every column of a type the driver writes as text (the conditions under which Django's
    own bulk_create sends a column as an array since 5.2)."""
    if connection.vendor != "postgresql" or not meta.pk.db_returning:
        return False
    for field in fields:
        target = field.target_field if field.is_relation else field
        if (hasattr(field, "get_placeholder") or field.db_type(connection) is None
                or target.get_internal_type() not in connection.data_types):
            return False
    return True


def _copy(cursor, meta, fields: list[Field], rows: list[list]) -> list[int]:
    """COPY `rows` with ids taken from the table's sequence first, as INSERT would have."""
    quote = cursor.db.ops.quote_name
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                   "FROM generate_series(1, %s)", [meta.db_table, meta.pk.column, len(rows)])
    ids = [row[0] for row in cursor.fetchall()]
    columns = ", ".join(quote(c) for c in [meta.pk.column, *(f.column for f in fields)])
    with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
        for new_id, row in zip(ids, rows, strict=True):
            copy.write_row((new_id, *row))
    return ids


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
    copy = _copyable(connection, meta, fields)
    head = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            "VALUES ")
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    step = COPY_ROWS if copy else _rows_per_statement(connection, len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), step):
            chunk = objs[start:start + step]
            rows = []
            for obj in chunk:
                values = [getattr(obj, name) for name in attnames]
                for i, field in pre_saved:
                    values[i] = field.pre_save(obj, True)
                rows.append([c(v) for c, v in zip(convert, values)])
            if copy:
                ids = _copy(cursor, meta, fields, rows)
            else:
                sql = head + ", ".join([one_row] * len(chunk)) + f" RETURNING {quote(pk.column)}"
                cursor.execute(sql, [value for row in rows for value in row])
                ids = [new_id for (new_id,) in cursor.fetchall()]
            for obj, new_id in zip(chunk, ids, strict=True):
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
