"""PostgreSQL: the phrase-pairs index of migration 0004, cheaper to build (issue 20).

`search_phrase_pairs(tsvector)` replaces `search_pairs`: the keys of each pair of lexemes at
*consecutive occupied* positions one or two apart (two when a stop word left the position
between them empty: "state of emergency"), hashed with `hashtext` into the same 2^20
buckets, plus `'~'`. `search_phrase_pairs_query` is its AND as a tsquery, as before.

Why. Building the pairs index was three quarters of `search reindex` on PostgreSQL at a
million articles (30.0 of 40.6 minutes, docs/performance.md): the function runs once per
article, then GIN sorts every key. Measured on 5,000 archive articles, one core:

- the old function paired every lexeme with the lexemes one *and* two positions on, through
  two self-joins of the expanded vector, and hashed with md5: 4.0-4.7 s;
- one window pass (each position with the previous occupied one, `last_value` over a RANGE
  frame) and `hashtext`: 2.3-2.4 s, with 26% fewer keys (1.03 M against 1.40 M), because
  "two apart" is now kept only where nothing stands between.

What a phrase finds. A phrase's pairs come from the same function, so an article holding the
phrase holds its pairs (tested on random texts, `test_postgres_exactness.py`). PostgreSQL's
own phrase operator lets any word stand where the query had a stop word (`"state of
emergency"` is `state <2> emergency`, which "state tram emergency" satisfies); those
articles are no longer candidates, so PostgreSQL now agrees with SQLite, whose phrase is the
literal words. Where positions stop counting (PostgreSQL gives every word past the 16,383rd
the same position) there are no pairs, as before.

Two indexes, one for the articles with an even id and one for the odd (`PARTS`), because
PostgreSQL 15 builds a GIN index on one core: at a million articles the one index took
longer to build than everything else in `search reindex`, which now builds the two at once
over two connections (`postgres_rebuild.build_indexes`). A phrase asks both
(`backends/postgres_pairs.pairs_ids`, a UNION ALL whose branches repeat each index's
condition so the planner picks it); a write computes the pairs once, for the one index whose
condition holds.

The indexes are built CONCURRENTLY (the migration is not atomic), so a live site keeps
writing while they build. A build that failed half way leaves an invalid index, dropped and
built again on the next run. The old index and functions stay: servers still running the previous
release during a rolling upgrade (deploy.md) keep their phrase searches fast. Until the next
`search reindex`, which builds only the new index and drops the old with its table
(`postgres_rebuild.RETIRED`), a write computes both. Nothing changes on SQLite.
"""

from importlib import import_module

from django.db import migrations

PREVIOUS = import_module("masthead.search.migrations.0004_head_and_pairs")

# The previous occupied position of each lexeme's occurrence: `last_value` over a frame that
# ends one position back. Several lexemes share a position only where PostgreSQL clamps
# positions at 16,383; each of them still pairs with the one lexeme before the clamp.
# IMMUTABLE: it depends on its argument only, which an expression index requires; hashtext
# is PostgreSQL's own text hash, which its hash indexes and hash partitions rely on.
PAIRS = r"""
CREATE OR REPLACE FUNCTION search_phrase_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT array_to_tsvector(array_agg(DISTINCT k) || '{~}'::text[])
  FROM (SELECT to_hex(hashtext(before || ' ' || (pos - before_pos) || ' ' || lexeme)
                      & 1048575) AS k
        FROM (SELECT u.lexeme, pos, last_value(pos) OVER previous AS before_pos,
                     last_value(u.lexeme) OVER previous AS before
              FROM unnest(v) u, unnest(u.positions) pos
              WINDOW previous AS (ORDER BY pos
                                  RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) o
        WHERE pos - before_pos <= 2) keys
$$
"""

# The AND of a phrase's pairs as a tsquery: migration 0004's function over the new pairs.
PAIRS_QUERY = PREVIOUS.PAIRS_QUERY.replace("search_pairs", "search_phrase_pairs")

INDEX = "search_document_phrase_pairs"
PARTS = 2  # as backends/postgres_pairs.PAIRS_PARTS, frozen here


def _drop_invalid(cursor, name: str) -> None:
    cursor.execute("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
                   [name])
    row = cursor.fetchone()
    if row and row[0]:
        cursor.execute(f"DROP INDEX CONCURRENTLY {name}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PAIRS)
        cursor.execute(PAIRS_QUERY)
        # A GIN build sorts its entries in this much memory (migration 0004 measured it).
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for part in range(PARTS):
            _drop_invalid(cursor, f"{INDEX}_{part}")
            cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX}_{part} "
                           "ON search_document USING gin (search_phrase_pairs(vector)) "
                           f"WHERE article_id % {PARTS} = {part}")
            # No statistics: ANALYZE would compute the pairs of every sampled row (0004).
            cursor.execute(f"ALTER INDEX {INDEX}_{part} ALTER COLUMN 1 SET STATISTICS 0")
        cursor.execute("RESET maintenance_work_mem")


def backwards(apps, schema_editor):
    """The previous release's index again, where a rebuild had dropped it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PREVIOUS.PAIRS)
        cursor.execute(PREVIOUS.PAIRS_QUERY)
        _drop_invalid(cursor, "search_document_pairs")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS search_document_pairs "
                       "ON search_document USING gin (search_pairs(vector))")
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("ALTER INDEX search_document_pairs ALTER COLUMN 1 SET STATISTICS 0")
        for part in range(PARTS):
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}_{part}")
        cursor.execute("DROP FUNCTION IF EXISTS search_phrase_pairs_query(tsvector)")
        cursor.execute("DROP FUNCTION IF EXISTS search_phrase_pairs(tsvector)")


class Migration(migrations.Migration):

    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("search", "0005_vector_by_article"),
    ]

    operations = [migrations.RunPython(forwards, backwards, atomic=False)]
