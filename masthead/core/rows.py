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

import weakref
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections


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

    def build(self, row: Sequence, start: int = 0, using: str = DEFAULT_DB_ALIAS):
        """The instance held in `row[start:start + width]`; None for an outer join's miss."""
        connection = connections[using]
        values = list(row[start:start + self.width])
        if values[self._pk_position] is None:
            return None
        for i, functions, column in self.converters(connection):
            value = values[i]
            for convert in functions:
                value = convert(value, column, connection)
            values[i] = value
        return self.model.from_db(using, self.field_names, values)


    def build_shared(self, row: Sequence, start: int, shared: dict,
                     using: str = DEFAULT_DB_ALIAS):
        """As `build`, but one instance per primary key within `shared` (a dict the caller
        keeps for one page): twenty teasers of one section hold the same Section."""
        pk = row[start + self._pk_position]
        if pk is None:
            return None
        found = shared.get((self.model, pk))
        if found is None:
            found = shared[(self.model, pk)] = self.build(row, start, using)
        return found


def fetch(sql: str, params: Sequence, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
