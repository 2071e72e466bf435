"""Model instances from hand-written SQL, built exactly as the ORM builds them.

Reader pages run the same few statements on every request. Building those statements with
the ORM cost more Python than running them: for the article page, about 2 ms to compile and
clone querysets against 0.1 ms of SQLite (docs/performance.md, "Where the time goes"). The
reader path therefore writes its statements once, as SQL, and reads their rows with a
`RowReader`: it names a model's columns for a SELECT list and turns the row back into an
instance with the backend's and the fields' own converters (SQLite's text datetimes become
aware datetimes, booleans become bools...) and `Model.from_db`, as a queryset would.

The SQL is portable between SQLite and PostgreSQL (`%s` placeholders, quoted names from the
models' metadata); tests compare every reader query with its ORM equivalent on both backends.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute

# Data descriptors whose `__set__` on a new instance only stores the value in its __dict__
# (ImageFileDescriptor, a FileDescriptor, also updates dimensions, but only when replacing a
# value the instance already had).
_STORING_DESCRIPTORS = (ForeignKeyDeferredAttribute, FileDescriptor)


def _sets_plainly(model, attname: str) -> bool:
    """Whether `setattr(instance, attname, value)` on a new instance is a plain dict store."""
    descriptor = getattr(model, attname, None)
    return not hasattr(descriptor, "__set__") or isinstance(descriptor, _STORING_DESCRIPTORS)


class RowReader:
    """One model's columns in a SELECT list, and the row slice back to an instance."""

    def __init__(self, model, fields: Sequence[str] | None = None, exclude: Sequence[str] = ()):
        concrete = model._meta.concrete_fields
        if fields is not None:
            wanted = {model._meta.get_field(name).attname for name in fields}
            wanted.add(model._meta.pk.attname)
        else:
            wanted = {f.attname for f in concrete}
        wanted -= {model._meta.get_field(name).attname for name in exclude}
        self.model = model
        self.fields = [f for f in concrete if f.attname in wanted]
        self.width = len(self.fields)
        # from_db takes the fast path (positional __init__) only when every field is present.
        self.field_names = None if self.width == len(concrete) else [
            f.attname for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        # `Model.from_db` calls `__init__(*values)`, which sends pre_init and post_init and
        # sets each value through `setattr`: ~9 µs an instance, ~20 instances an article page.
        # When that amounts to storing the values (no overridden constructor, no data
        # descriptor that does more), `build` stores them itself; init signal receivers are
        # checked on every build, since they can be connected at any time.
        self._by_hand = (
            model.__init__ is Model.__init__
            and model.from_db.__func__ is Model.from_db.__func__
            and all(_sets_plainly(model, name) for name in self.attnames)
        )
        pk = model._meta.pk.attname
        self._pk_position = next(i for i, f in enumerate(self.fields) if f.attname == pk)
        # Converters are bound to a connection's backend; Django keeps one connection per
        # thread, so they are looked up per connection object (not through the proxy).
        self._converters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def select(self, alias: str, using: str = DEFAULT_DB_ALIAS) -> str:
        quote = connections[using].ops.quote_name
        return ", ".join(f"{alias}.{quote(f.column)}" for f in self.fields)

    def converters(self, connection) -> list[tuple[int, list, object]]:
        """(position, converter functions, column expression) for fields that need any."""
        found = self._converters.get(connection)
        if found is None:
            found = []
            for i, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                functions = (connection.ops.get_db_converters(column)
                             + field.get_db_converters(connection))
                if functions:
                    found.append((i, functions, column))
            self._converters[connection] = found
        return found

    def build(self, row: Sequence, start: int = 0, using: str = DEFAULT_DB_ALIAS,
              connection=None):
        """The instance held in `row[start:start + width]`; None for an outer join's miss.

        `connection`: `connections[using]`, which a caller building many rows looks up once
        (each look-up goes through asgiref's thread-local, ~2 µs)."""
        if connection is None:
            connection = connections[using]
        values = list(row[start:start + self.width])
        if values[self._pk_position] is None:
            return None
        for i, functions, column in self.converters(connection):
            value = values[i]
            for convert in functions:
                value = convert(value, column, connection)
            values[i] = value
        model = self.model
        if (self._by_hand and not signals.pre_init.has_listeners(model)
                and not signals.post_init.has_listeners(model)):
            new = model.__new__(model)
            state = new._state = ModelState()
            state.adding = False
            state.db = using
            new.__dict__.update(zip(self.attnames, values))
            return new
        return model.from_db(using, self.field_names, values)


    def build_shared(self, row: Sequence, start: int, shared: dict,
                     using: str = DEFAULT_DB_ALIAS, connection=None):
        """As `build`, but one instance per primary key within `shared` (a dict the caller
        keeps for one page): twenty teasers of one section hold the same Section."""
        pk = row[start + self._pk_position]
        if pk is None:
            return None
        found = shared.get((self.model, pk))
        if found is None:
            found = shared[(self.model, pk)] = self.build(row, start, using, connection)
        return found


_POSITIONAL = re.compile(r"(?<!%)%s")


@functools.lru_cache(maxsize=512)
def _named(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` with its `%s` placeholders as `%(p0)s`, `%(p1)s`..., and those names."""
    names: list[str] = []

    def name(match) -> str:
        names.append(f"p{len(names)}")
        return f"%({names[-1]})s"

    return _POSITIONAL.sub(name, sql), tuple(names)


def fetch(sql: str, params: Sequence, using: str = DEFAULT_DB_ALIAS,
          connection=None) -> list[tuple]:
    """The rows of `sql` (`%s` placeholders), run through Django's cursor (query logging and
    execute wrappers see it). The parameters go as a mapping: Django's SQLite backend turns
    `%s` into `?` with a look-behind regular expression over the whole statement on every
    call (~5% of an article page's instructions for its six statements), while named ones
    take one `%` formatting; psycopg accepts either."""
    named_sql, names = _named(sql)
    if connection is None:
        connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(named_sql, dict(zip(names, params, strict=True)))
        return cursor.fetchall()
