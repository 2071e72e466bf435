"""A migration operation that drops indexes another index already serves.

Django indexes every foreign key and `db_index` field on its own, and on PostgreSQL adds a
`varchar_pattern_ops` twin (`*_like`) to each indexed text column for `LIKE 'x%'`. Where a
composite index starts with the same column, or no query ever matches a prefix, the index is
only written: for every imported row of a million-article archive (issue 20). The database
side is a plain DROP INDEX; an `AlterField` on SQLite would copy the whole table instead.
"""

from __future__ import annotations

from django.db import migrations


def drop_indexes(table: str, plain: dict[str, str], like: dict[str, str] | None = None):
    """Drop `plain` ({index name: column}) on every database and `like` ({name: column}, the
    PostgreSQL pattern twins) where they exist; the reverse creates them again."""
    like = like or {}

    def forward(apps, schema_editor):
        for name in [*plain, *like]:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def backward(apps, schema_editor):
        q = schema_editor.quote_name
        for name, column in plain.items():
            schema_editor.execute(f"CREATE INDEX {q(name)} ON {q(table)} ({q(column)})")
        if schema_editor.connection.vendor == "postgresql":
            for name, column in like.items():
                schema_editor.execute(
                    f"CREATE INDEX {q(name)} ON {q(table)} ({q(column)} varchar_pattern_ops)")

    return migrations.RunPython(forward, backward, elidable=False)
