"""PostgreSQL: migration 0004's phrase-pairs index dropped at once where nothing is indexed.

Migration 0006 keeps the previous release's pairs index for servers still running that
release during a rolling upgrade, until the next `search reindex` drops it. Where the search
table is empty (every fresh install, and a site whose articles were never indexed) those
servers have nothing to find faster, and the index only costs: each article indexed until
that reindex computed the old pairs beside the new, which a 10k import indexes at once
(docs/search.md, "Migration 0007"). Where the table holds rows, nothing changes.
"""

from django.db import migrations

RETIRED = "search_document_pairs"  # as backends/postgres_rebuild.RETIRED, frozen here


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM search_document)")
        if not cursor.fetchone()[0]:
            # A row written between the check and the drop loses nothing: the index only
            # speeds up the previous release's phrase searches.
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {RETIRED}")


class Migration(migrations.Migration):

    atomic = False  # DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("search", "0006_phrase_pairs"),
    ]

    # Backwards: nothing to undo here; reverting 0006 builds the old index again.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, atomic=False)]
