"""Stop PostgreSQL checking the related lists' two foreign keys at every COMMIT.

Django declares foreign keys `DEFERRABLE INITIALLY DEFERRED`, so PostgreSQL queues a check of
both keys for every row written and runs them all at COMMIT: a 1M-article rebuild writes 8M
rows, 16M checks, 233 s of its COMMIT (docs/decisions/0008-derived-lists-without-fk-checks.md).
The lists are derived data: only `lists.write` stores rows, and only rows whose two articles it
has just seen visible; a deleted article's rows are still deleted by Django's collector
(`on_delete=CASCADE` does not need the database's constraint), and reading joins the articles
table, so a row whose article vanished behind Django's back is never shown.

On PostgreSQL the constraints are dropped (instant). On SQLite nothing changes in the file: an
`AlterField` there copies the whole table (8M rows at 1M articles) to remove a clause whose
cost SQLite pays as one index probe per inserted row, not as a COMMIT-time pass.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "recommendations_relatedarticle"
COLUMNS = ("article_id", "related_id")


def _foreign_keys(schema_editor) -> dict[str, str]:
    """{constraint name: column} of the table's foreign keys on COLUMNS."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {name: c["columns"][0] for name, c in found.items()
            if c["foreign_key"] and c["columns"][0] in COLUMNS}


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    q = schema_editor.quote_name
    for name in _foreign_keys(schema_editor):
        schema_editor.execute(f"ALTER TABLE {q(TABLE)} DROP CONSTRAINT {q(name)}")


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    q = schema_editor.quote_name
    present = set(_foreign_keys(schema_editor).values())
    for column in COLUMNS:
        if column not in present:
            schema_editor.execute(
                f"ALTER TABLE {q(TABLE)} ADD CONSTRAINT {q(f'{TABLE[:20]}_{column}_fk')} "
                f"FOREIGN KEY ({q(column)}) REFERENCES {q('articles_article')} ({q('id')}) "
                f"DEFERRABLE INITIALLY DEFERRED")


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0001_initial"),
        ("recommendations", "0002_list_foreign_keys_unindexed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="relatedarticle",
                    name=field,
                    field=models.ForeignKey(
                        db_constraint=False, db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+", to="articles.article"),
                )
                for field in ("article", "related")
            ],
            database_operations=[
                migrations.RunPython(drop_constraints, add_constraints, elidable=False),
            ],
        ),
    ]
