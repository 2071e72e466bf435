"""The engine table of the database in use: an FTS5 virtual table on SQLite, a tsvector table
with a GIN index on PostgreSQL (see masthead/search/models.py for why Django cannot do it)."""

from django.db import migrations

SQLITE = [
    # porter wraps unicode61: English stemming over Unicode-aware word splitting, accents
    # folded. detail=full (the default) keeps positions, which phrase queries need.
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, standfirst, body, tokenize='porter unicode61 remove_diacritics 2')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS search_fts"]

POSTGRES = [
    "CREATE TABLE search_document ("
    " article_id bigint PRIMARY KEY REFERENCES articles_article(id) ON DELETE CASCADE,"
    " title text NOT NULL, standfirst text NOT NULL, body text NOT NULL,"
    " published_at timestamptz, vector tsvector, lede_vector tsvector)",
    "CREATE INDEX search_document_vector ON search_document USING gin (vector)",
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS search_document"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_initial"),
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
