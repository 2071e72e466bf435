"""What an article page shows of its stored list, as one hand-written SQL statement.

`shown_related(article_id, n)`: the first `n` related articles of the stored list, in rank
order, that are visible *now* (published, publication time passed, a story), so an article
that is unpublished disappears from every page at once, before its lists are recomputed. Each
comes with its section attached and without its text, which the block does not show.

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

from masthead.articles.models import Article, Section
from masthead.core.rows import RowReader, fetch

from .models import RelatedArticle

RELATED = RowReader(Article, exclude=("body", "body_html"))
SECTION = RowReader(Section)
VISIBLE_STATUSES = (Article.Status.PUBLISHED.value, Article.Status.SCHEDULED.value)


@cache
def _shown_sql(using: str) -> str:
    q = connections[using].ops.quote_name
    return (
        f"SELECT {RELATED.select('a', using)}, {SECTION.select('s', using)} "
        f"FROM {q(RelatedArticle._meta.db_table)} r "
        f"CROSS JOIN {q(Article._meta.db_table)} a "
        f"LEFT OUTER JOIN {q(Section._meta.db_table)} s ON s.{q('id')} = a.{q('section_id')} "
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
        shown.append(article)
    return shown
