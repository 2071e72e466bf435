"""PostgreSQL: the word index also indexes each entry's filter terms and article id, so a
search asks one index for its words, its filters and the newest articles only
(backends/postgres_window.py, issue 20).

- `search_document_vector` becomes a GIN index on `(vector, facets, article_id)`; the
  `btree_gin` extension (shipped with PostgreSQL, trusted since 13, so the site's own role
  may create it) supplies the GIN operator class for bigint. GIN answers all the conditions
  in one scan, stepping through each list only where the others have entries: "this word
  among the newest 15,000 articles" costs what the range costs, not what the word costs (a
  word in 27% of 100k articles: 0.9 ms against 8 ms for all its matches), and a word in a
  section no longer needs the bitmap of the whole section (12,400 entries at 100k, 1.5-6 ms,
  built twice when the head matches could not settle the page: 0.15 ms now). A search
  without filters or ids uses the same index as before.
- `search_document_head` becomes `(head_vector, facets)`, for the same reason.

The old indexes are dropped: the new ones answer everything they did. The builds are full
GIN builds (59 s for 100k articles on a loaded two-core machine, so several minutes at a
million) and block writes to the search table meanwhile; `search reindex` rebuilds them like
any other index of the table (postgres_rebuild.build_indexes copies the live definitions).

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

INDEXES = {"search_document_vector": "vector, facets, article_id",
           "search_document_head": "head_vector, facets"}
BEFORE = {"search_document_vector": "vector", "search_document_head": "head_vector"}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(ESTIMATE)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    # A GIN build sorts its entries in this much memory (see migration 0004).
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name}_new ON search_document USING gin ({columns})")
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"ALTER INDEX {name}_new RENAME TO {name}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name, columns in BEFORE.items():
        schema_editor.execute(f"CREATE INDEX {name}_old ON search_document USING gin ({columns})")
        schema_editor.execute(f"DROP INDEX {name}")
        schema_editor.execute(f"ALTER INDEX {name}_old RENAME TO {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS search_match_estimate(text)")
    # The extension stays: other schemas may have come to use it.


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0004_head_and_pairs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
