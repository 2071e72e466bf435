"""Filter terms in the index (see masthead/search/facets.py): a `facets` column in both engines.

SQLite cannot add a column to an FTS5 table, so the table is rebuilt: renamed, created again
with the column, its entries copied across with their filter terms, the old one dropped.
PostgreSQL gets a tsvector column, filled the same way, and a GIN index on it. The terms are
computed from the article tables through the historical models, so an existing index keeps
answering filtered searches without a `masthead search reindex`.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models
from django.utils import timezone

from masthead.search import facets

CHUNK = 1000
TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"


def _terms(apps, ids) -> dict[int, list[str]]:
    article = apps.get_model("articles", "Article")
    byline = apps.get_model("articles", "Byline")
    through = article._meta.get_field("tags").remote_field.through
    tags: dict[int, list[int]] = {}
    for article_id, tag_id in through.objects.filter(article_id__in=ids).values_list(
            "article_id", "tag_id"):
        tags.setdefault(article_id, []).append(tag_id)
    authors: dict[int, list[int]] = {}
    for article_id, author_id in byline.objects.filter(article_id__in=ids).values_list(
            "article_id", "author_id"):
        authors.setdefault(article_id, []).append(author_id)
    rows = article.objects.filter(pk__in=ids).values_list("pk", "section_id", "published_at")
    return {pk: facets.terms(section_id, tags.get(pk, ()), authors.get(pk, ()),
                             timezone.localdate(published_at) if published_at else None)
            for pk, section_id, published_at in rows}


def _chunks(cursor, sql):
    last = 0
    while True:
        cursor.execute(sql, [last, CHUNK])
        rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _sqlite_copy(schema_editor, columns, apps=None):
    """Rebuild search_fts with these columns, copying every entry (adding terms if asked)."""
    schema_editor.execute("ALTER TABLE search_fts RENAME TO search_fts_old")
    schema_editor.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5({columns}, {TOKENIZE})")
    with schema_editor.connection.cursor() as cursor:
        for rows in _chunks(cursor, "SELECT rowid, title, standfirst, body FROM search_fts_old "
                                    "WHERE rowid > %s ORDER BY rowid LIMIT %s"):
            if apps is None:
                cursor.executemany("INSERT INTO search_fts(rowid, title, standfirst, body) "
                                   "VALUES (%s, %s, %s, %s)", rows)
                continue
            terms = _terms(apps, [row[0] for row in rows])
            cursor.executemany(
                "INSERT INTO search_fts(rowid, title, standfirst, body, facets) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(*row, " ".join(terms.get(row[0], ()))) for row in rows])
    schema_editor.execute("DROP TABLE search_fts_old")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _sqlite_copy(schema_editor, "title, standfirst, body, facets", apps)
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_document ADD COLUMN facets tsvector")
        with schema_editor.connection.cursor() as cursor:
            for rows in _chunks(cursor, "SELECT article_id FROM search_document "
                                        "WHERE article_id > %s ORDER BY article_id LIMIT %s"):
                terms = _terms(apps, [row[0] for row in rows])
                cursor.executemany(
                    "UPDATE search_document SET facets = %s::tsvector WHERE article_id = %s",
                    [(" ".join(f"'{t}'" for t in terms.get(row[0], ())), row[0])
                     for row in rows])
        schema_editor.execute(
            "CREATE INDEX search_document_facets ON search_document USING gin (facets)")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _sqlite_copy(schema_editor, "title, standfirst, body")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_document_facets")
        schema_editor.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS facets")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_engine_tables"),
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField("fts5entry", "facets", models.TextField(default="")),
                migrations.AddField("pgdocument", "facets", SearchVectorField(null=True)),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
