"""What an article page shows of its stored list, as hand-written SQL.

`shown_related(article_id, n)`: the first `n` related articles of the stored list, in rank
order, that are visible *now* (published, publication time passed, a story), so an article
that is unpublished disappears from every page at once, before its lists are recomputed. Each
comes with its section and lead image (the card's thumbnail) attached and without its text,
which the block does not show.

`latest_in_section(article, n, shown_ids)`: when fewer than `n` clear the relevance floor, the
section's newest visible stories for the "Latest from <section>" line, leaving out the article,
those shown and those an editor excluded (one statement, then `articles.reading.teasers`). One
article page in five took this path on the benchmark site, with five ORM queries.

Why SQL rather than a queryset: the article page is read on every cache miss and the ORM spent
~1.5 ms building this 0.1 ms statement (core/rows.py). `CROSS JOIN` makes SQLite walk the
article's few list rows first and look each related article up by key; left to itself it may
start from the articles' status index instead (measured: a joined filter was far slower there
than a correlated EXISTS). PostgreSQL plans the same statement freely.
"""

from __future__ import annotations

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from masthead.articles import reading as article_reading
from masthead.articles.models import Article, Section
from masthead.core.rows import RowReader, fetch
from masthead.media.models import Image

from .models import RelatedArticle, RelatedOverride

RELATED = RowReader(Article, exclude=("body", "body_html"))
SECTION = RowReader(Section)
IMAGE = RowReader(Image)
VISIBLE_STATUSES = (Article.Status.PUBLISHED.value, Article.Status.SCHEDULED.value)


@cache
def _shown_sql(using: str) -> str:
    q = connections[using].ops.quote_name
    return (
        f"SELECT {RELATED.select('a', using)}, {SECTION.select('s', using)}, "
        f"{IMAGE.select('i', using)} FROM {q(RelatedArticle._meta.db_table)} r "
        f"CROSS JOIN {q(Article._meta.db_table)} a "
        f"LEFT OUTER JOIN {q(Section._meta.db_table)} s ON s.{q('id')} = a.{q('section_id')} "
        f"LEFT OUTER JOIN {q(Image._meta.db_table)} i ON i.{q('id')} = a.{q('lead_image_id')} "
        f"WHERE r.{q('article_id')} = %s AND a.{q('id')} = r.{q('related_id')} "
        f"AND a.{q('kind')} = %s AND a.{q('status')} IN (%s, %s) "
        f"AND a.{q('published_at')} <= %s "
        f"ORDER BY r.{q('rank')}, r.{q('id')} LIMIT %s"
    )


def shown_related(article_id: int, n: int, now=None, using: str = DEFAULT_DB_ALIAS) -> list:
    connection = connections[using]
    rows = fetch(_shown_sql(using), [
        article_id, Article.Kind.ARTICLE.value, *VISIBLE_STATUSES,
        connection.ops.adapt_datetimefield_value(now or timezone.now()), n,
    ], using, connection)
    shown = []
    for row in rows:
        article = RELATED.build(row, 0, using, connection)
        Article.section.field.set_cached_value(
            article, SECTION.build(row, RELATED.width, using, connection))
        Article.lead_image.field.set_cached_value(
            article, IMAGE.build(row, RELATED.width + SECTION.width, using, connection))
        shown.append(article)
    return shown


@cache
def _latest_sql(using: str) -> str:
    q = connections[using].ops.quote_name
    return (
        f"SELECT a.{q('id')} FROM {q(Article._meta.db_table)} a "
        f"WHERE a.{q('section_id')} = %s AND a.{q('kind')} = %s "
        f"AND a.{q('status')} IN (%s, %s) AND a.{q('published_at')} <= %s "
        f"AND a.{q('id')} <> %s AND a.{q('id')} NOT IN ("
        f"SELECT o.{q('related_id')} FROM {q(RelatedOverride._meta.db_table)} o "
        f"WHERE o.{q('article_id')} = %s AND o.{q('kind')} = %s){{shown}} "
        f"ORDER BY a.{q('published_at')} DESC, a.{q('id')} DESC LIMIT %s"
    )


def latest_in_section(article, n: int, shown_ids=(), now=None,
                      using: str = DEFAULT_DB_ALIAS) -> list[Article]:
    """The section's `n` newest visible stories other than the article, those in `shown_ids`
    and those excluded from its list by an editor, newest first, as teasers."""
    if not article.section_id or n <= 0:
        return []
    connection = connections[using]
    shown_ids = list(shown_ids)
    sql = _latest_sql(using).replace(
        "{shown}", f" AND a.{connection.ops.quote_name('id')} NOT IN "
                   f"({', '.join(['%s'] * len(shown_ids))})" if shown_ids else "")
    ids = [row[0] for row in fetch(sql, [
        article.section_id, Article.Kind.ARTICLE.value, *VISIBLE_STATUSES,
        connection.ops.adapt_datetimefield_value(now or timezone.now()), article.pk,
        article.pk, RelatedOverride.Kind.EXCLUDE.value, *shown_ids, n,
    ], using, connection)]
    return article_reading.teasers(ids, using)
