"""PostgreSQL: the word index also indexes the article id, so a search can ask it for the
matches among the newest articles only (backends/postgres_window.py, issue 20).

`search_document_vector` becomes a two-column GIN index on `(vector, article_id)`; the
`btree_gin` extension (shipped with PostgreSQL, trusted since 13, so the site's own role may
create it) supplies the GIN operator class for bigint. GIN answers both conditions in one
scan and steps through the word's posting list only where the id range has entries, so
"this word among the newest 15,000 articles" costs what the range costs, not what the word
costs (a word in 27% of 100k articles: 0.9 ms against 8 ms for all its matches). A search
without an id condition uses the same index as before. The old index is dropped: the new
one answers everything it did, and is only 8% larger.

The build is a full GIN build (42 s for 100k articles on a loaded two-core machine, so
several minutes at a million) and blocks writes to the search table meanwhile; `search
reindex` rebuilds it like any other index of the table (postgres_rebuild.build_indexes
copies the live definitions).

`search_match_estimate(statement)`: the planner's row estimate for a statement (its
`EXPLAIN`), so a search learns how many matches its words have from the statistics in the
round trip that already sets its planner settings (postgres_window.py). Nothing changes on
SQLite.
"""

from django.db import migrations

# VOLATILE (the default): it plans whatever statement it is given, and must not be folded
# into a constant at planning time. Only the backend calls it, with a statement it composed.
ESTIMATE = """
CREATE OR REPLACE FUNCTION search_match_estimate(statement text) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || statement INTO plan;
  RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
END $$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(ESTIMATE)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    # A GIN build sorts its entries in this much memory (see migration 0004).
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    schema_editor.execute("CREATE INDEX search_document_vector_by_article "
                          "ON search_document USING gin (vector, article_id)")
    schema_editor.execute("DROP INDEX IF EXISTS search_document_vector")
    schema_editor.execute("ALTER INDEX search_document_vector_by_article "
                          "RENAME TO search_document_vector")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    schema_editor.execute("CREATE INDEX search_document_vector_words "
                          "ON search_document USING gin (vector)")
    schema_editor.execute("DROP INDEX search_document_vector")
    schema_editor.execute("ALTER INDEX search_document_vector_words "
                          "RENAME TO search_document_vector")
    schema_editor.execute("DROP FUNCTION IF EXISTS search_match_estimate(text)")
    # The extension stays: other schemas may have come to use it.


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0004_head_and_pairs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
