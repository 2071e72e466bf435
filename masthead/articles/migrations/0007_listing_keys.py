"""The listing key on the link tables: `listed_at` on articles_article_tags and articles_byline.

A tag or author page becomes one index range, (tag_id | author_id, listed_at DESC, article_id
DESC), instead of a join that reads and sorts every story of the tag (issue 20; decision 0007).

- `Article.tags` gets an explicit through model, `ArticleTag`, over the same table and columns
  as Django's auto-created one: a state-only change (SeparateDatabaseAndState), no table copy.
- `listed_at` is added (nullable: a metadata-only ALTER TABLE on both databases), backfilled by
  one set-based UPDATE per table over a join (stories that published().stories() may show get
  their published_at; every other row keeps NULL), and only then indexed, so the index is built
  once from sorted rows rather than maintained row by row during the backfill.
- Triggers keep it true on every write, whoever writes (the ORM's save, queryset .update(),
  the importer's multi-row INSERTs, raw SQL): on a change of an article's status, kind or
  published_at that changes its key, its link rows are updated; a link row inserted (or its
  article_id or listed_at written) takes its article's key. `LISTED` below restates
  `ArticleQuerySet.published()` + `stories()` (status published or scheduled, kind article);
  articles/tests/test_listing_keys.py checks every write path against that rule.

SQLite drops a table's triggers when Django's schema editor remakes the table (an AlterField
on SQLite copies the table): a later migration that remakes articles_article,
articles_article_tags or articles_byline must re-create them (`create_triggers` below); the
trigger test fails if it does not.
"""

import django.db.models.deletion
from django.db import migrations, models

LINK_TABLES = ("articles_article_tags", "articles_byline")


def _listed(row: str) -> str:
    return (f"CASE WHEN {row}.status IN ('published', 'scheduled') AND {row}.kind = 'article' "
            f"THEN {row}.published_at END")


def _sqlite_triggers() -> list[str]:
    statements = []
    new_key = _listed("NEW")
    # Only when the key changes: Django's save() writes every column, so `UPDATE OF` alone
    # would rewrite the links on each save of a headline.
    statements.append(
        f"CREATE TRIGGER articles_article_listed_at_update "
        f"AFTER UPDATE OF status, kind, published_at ON articles_article "
        f"WHEN ({_listed('OLD')}) IS NOT ({new_key}) BEGIN "
        + "".join(f"UPDATE {t} SET listed_at = {new_key} WHERE article_id = NEW.id; "
                  for t in LINK_TABLES)
        + "END")
    # Links written before their article (foreign keys are deferred): the article's insert
    # sets them. Nothing to do for a draft, the usual new article.
    statements.append(
        f"CREATE TRIGGER articles_article_listed_at_insert AFTER INSERT ON articles_article "
        f"WHEN ({new_key}) IS NOT NULL BEGIN "
        + "".join(f"UPDATE {t} SET listed_at = {new_key} WHERE article_id = NEW.id; "
                  for t in LINK_TABLES)
        + "END")
    for table in LINK_TABLES:
        key = f"(SELECT {_listed('a')} FROM articles_article a WHERE a.id = NEW.article_id)"
        # SQLite triggers cannot change NEW: the row is corrected after it is written, only
        # when it differs (a draft's links are left alone).
        for event, name in (("INSERT", "insert"), ("UPDATE OF article_id, listed_at", "update")):
            statements.append(
                f"CREATE TRIGGER {table}_listed_at_{name} AFTER {event} ON {table} "
                f"WHEN NEW.listed_at IS NOT {key} BEGIN "
                f"UPDATE {table} SET listed_at = {key} WHERE id = NEW.id; END")
    return statements


SQLITE_TRIGGER_NAMES = (
    "articles_article_listed_at_update", "articles_article_listed_at_insert",
    *(f"{t}_listed_at_{n}" for t in LINK_TABLES for n in ("insert", "update")),
)

POSTGRES_CREATE = f"""
CREATE FUNCTION articles_link_listed_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT {_listed('a')} INTO NEW.listed_at FROM articles_article a WHERE a.id = NEW.article_id;
    RETURN NEW;
END $$;

CREATE FUNCTION articles_article_listed_at() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key timestamptz := {_listed('NEW')};
BEGIN
    UPDATE articles_article_tags SET listed_at = key
        WHERE article_id = NEW.id AND listed_at IS DISTINCT FROM key;
    UPDATE articles_byline SET listed_at = key
        WHERE article_id = NEW.id AND listed_at IS DISTINCT FROM key;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_article_listed_at_update
    AFTER UPDATE OF status, kind, published_at ON articles_article FOR EACH ROW
    WHEN (({_listed('OLD')}) IS DISTINCT FROM ({_listed('NEW')}))
    EXECUTE FUNCTION articles_article_listed_at();
CREATE TRIGGER articles_article_listed_at_insert
    AFTER INSERT ON articles_article FOR EACH ROW
    WHEN (({_listed('NEW')}) IS NOT NULL)
    EXECUTE FUNCTION articles_article_listed_at();
""" + "".join(f"""
CREATE TRIGGER {t}_listed_at
    BEFORE INSERT OR UPDATE OF article_id, listed_at ON {t} FOR EACH ROW
    EXECUTE FUNCTION articles_link_listed_at();
""" for t in LINK_TABLES)

POSTGRES_DROP = "".join(f"DROP TRIGGER IF EXISTS {t}_listed_at ON {t};\n" for t in LINK_TABLES) + """
DROP TRIGGER IF EXISTS articles_article_listed_at_update ON articles_article;
DROP TRIGGER IF EXISTS articles_article_listed_at_insert ON articles_article;
DROP FUNCTION IF EXISTS articles_article_listed_at();
DROP FUNCTION IF EXISTS articles_link_listed_at();
"""


def _run(schema_editor, statements) -> None:
    for sql in statements:
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, _sqlite_triggers())
    elif vendor == "postgresql":
        _run(schema_editor, [POSTGRES_CREATE])
    else:
        raise NotImplementedError(f"listing-key triggers for {vendor}")


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, [f"DROP TRIGGER IF EXISTS {n}" for n in SQLITE_TRIGGER_NAMES])
    else:
        _run(schema_editor, [POSTGRES_DROP])


def backfill(apps, schema_editor) -> None:
    # One UPDATE … FROM per table (SQLite ≥ 3.33, PostgreSQL): only the rows of listable
    # stories are written; the others keep the NULL the new column starts with.
    _run(schema_editor, [
        f"UPDATE {t} SET listed_at = articles_article.published_at FROM articles_article "
        f"WHERE articles_article.id = {t}.article_id "
        f"AND articles_article.status IN ('published', 'scheduled') "
        f"AND articles_article.kind = 'article' AND articles_article.published_at IS NOT NULL"
        for t in LINK_TABLES
    ])


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0006_author_photo'),
    ]

    operations = [
        # Django's auto-created through table already is this model, column for column (its
        # unique (article_id, tag_id) index has the name unique_together gives it).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ArticleTag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tag_links', to='articles.article')),
                        ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='article_links', to='articles.tag')),
                    ],
                    options={
                        'db_table': 'articles_article_tags',
                        'unique_together': {('article', 'tag')},
                    },
                ),
                migrations.AlterField(
                    model_name='article',
                    name='tags',
                    field=models.ManyToManyField(blank=True, related_name='articles', through='articles.ArticleTag', to='articles.tag'),
                ),
            ],
        ),
        migrations.AddField(
            model_name='articletag',
            name='listed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='byline',
            name='listed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='articletag',
            index=models.Index(fields=['tag', '-listed_at', '-article'], name='articletag_listing'),
        ),
        migrations.AddIndex(
            model_name='byline',
            index=models.Index(fields=['author', '-listed_at', '-article'], name='byline_listing'),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
