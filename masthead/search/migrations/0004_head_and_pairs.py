"""PostgreSQL: what lets a search rank only the matches that can win and check only the
articles that can hold a phrase (backends/postgres_page.py and backends/postgres.py).

- `head_vector`: the lexemes of each entry's headline and standfirst, positions stripped,
  with a GIN index; filled here from the stored text, so an existing index needs no reindex.
- `search_pairs(tsvector)`: every pair of lexemes one or two positions apart in a vector, as
  `'<lexeme> <gap> <lexeme>'`, plus `'~'` (in every entry, so a query without pairs matches
  everything rather than nothing); a GIN expression index on `search_pairs(vector)`.
- `search_pairs_query(tsvector)`: the AND of a phrase's pairs as a tsquery, computed by the
  same function, so an article holding the phrase always holds its pairs.

Nothing changes on SQLite (FTS5 checks phrases against its own position lists).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import migrations

CHUNK = 5000

# Pairs of the lexemes at positions p and p + 1 or p + 2 (a stop word between them, as in
# "state of emergency", leaves a gap of two). Two equi-joins: a join on "IN (p + 1, p + 2)"
# was a nested loop, 6 ms an article instead of 0.7. IMMUTABLE: it depends on its argument
# only, which an expression index requires.
PAIRS = r"""
CREATE OR REPLACE FUNCTION search_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT array_to_tsvector(array_agg(k))
  FROM (SELECT '~' AS k
        UNION
        SELECT left(md5(a.lexeme || ' ' || g || ' ' || b.lexeme), 5)
        FROM (SELECT u.lexeme, pos FROM unnest(v) u, unnest(u.positions) pos) a
        CROSS JOIN (VALUES (1), (2)) gaps(g)
        JOIN (SELECT u.lexeme, pos FROM unnest(v) u, unnest(u.positions) pos) b
          ON b.pos = a.pos + g) keys
$$
"""

# Quoted as tsquery input: a backslash escapes the next character, a quote is doubled.
PAIRS_QUERY = r"""
CREATE OR REPLACE FUNCTION search_pairs_query(v tsvector) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(string_agg('''' || replace(replace(k, '\', '\\'), '''', '''''') || '''',
                             ' & '), '''~''')::tsquery
  FROM unnest(tsvector_to_array(search_pairs(v))) k
  WHERE k <> '~'
$$
"""

HEAD = ("strip(to_tsvector('english'::regconfig, COALESCE(title, '')) || "
        "to_tsvector('english'::regconfig, COALESCE(standfirst, '')))")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PAIRS)
    schema_editor.execute(PAIRS_QUERY)
    schema_editor.execute(
        "ALTER TABLE search_document ADD COLUMN IF NOT EXISTS head_vector tsvector")
    with schema_editor.connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute("SELECT max(article_id) FROM (SELECT article_id FROM search_document "
                           "WHERE article_id > %s ORDER BY article_id LIMIT %s) c",
                           [last, CHUNK])
            upto = cursor.fetchone()[0]
            if upto is None:
                break
            cursor.execute(f"UPDATE search_document SET head_vector = {HEAD} "
                           "WHERE article_id > %s AND article_id <= %s", [last, upto])
            last = upto
    # For this transaction only: a GIN build sorts its entries in this much memory (the
    # default 64 MB made the pairs index of 100k articles merge in many more passes).
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS search_document_head "
                          "ON search_document USING gin (head_vector)")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS search_document_pairs "
                          "ON search_document USING gin (search_pairs(vector))")
    # ANALYZE would otherwise compute the pairs of every sampled row (30,000 on 100k
    # articles: 55 s of CPU each time autovacuum analyzes the table) for statistics the
    # planner does not need: it looks pairs up only together with the phrase's words.
    schema_editor.execute(
        "ALTER INDEX search_document_pairs ALTER COLUMN 1 SET STATISTICS 0")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS search_document_pairs")
    schema_editor.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS head_vector")
    schema_editor.execute("DROP FUNCTION IF EXISTS search_pairs_query(tsvector)")
    schema_editor.execute("DROP FUNCTION IF EXISTS search_pairs(tsvector)")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0003_filter_terms"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField("pgdocument", "head_vector", SearchVectorField(null=True)),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
