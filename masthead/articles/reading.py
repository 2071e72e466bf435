"""What the article page reads, as hand-written SQL (core/rows.py says why).

- `published_article(pub_date, slug)`: the visible story at that address, with its section
  and lead image attached, its bylines in order (`ordered_bylines`, as `with_bylines()` gives,
  each author with its photo attached)
  and its tags (`article.tags.all()` answers from them without a query);
- `teasers(ids)`: those articles, newest first, as a teaser shows them (no text; section,
  lead image and ordered bylines attached): the front page's stories;
- `navigation_sections()`: the sections in the site's navigation, in order.

Same rows, same order and same visibility rule as `Article.objects.published()`; the tests
compare each with its ORM equivalent on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from masthead.core.rows import RowReader, fetch
from masthead.media.models import Image

from .models import Article, Author, Byline, Section, Tag

ARTICLE = RowReader(Article)
TEASER = RowReader(Article, exclude=("body", "body_html"))
SECTION = RowReader(Section)
IMAGE = RowReader(Image)
BYLINE = RowReader(Byline)
AUTHOR = RowReader(Author)
TAG = RowReader(Tag)
VISIBLE_STATUSES = (Article.Status.PUBLISHED.value, Article.Status.SCHEDULED.value)


def _table(model, using: str) -> str:
    return connections[using].ops.quote_name(model._meta.db_table)


@cache
def _article_sql(using: str) -> str:
    q = connections[using].ops.quote_name
    return (
        f"SELECT {ARTICLE.select('a', using)}, {SECTION.select('s', using)}, "
        f"{IMAGE.select('i', using)} FROM {_table(Article, using)} a "
        f"LEFT OUTER JOIN {_table(Section, using)} s ON s.{q('id')} = a.{q('section_id')} "
        f"LEFT OUTER JOIN {_table(Image, using)} i ON i.{q('id')} = a.{q('lead_image_id')} "
        f"WHERE a.{q('pub_date')} = %s AND a.{q('slug')} = %s AND a.{q('kind')} = %s "
        f"AND a.{q('status')} IN (%s, %s) AND a.{q('published_at')} <= %s"
    )


@cache
def _bylines_sql(using: str) -> str:
    q = connections[using].ops.quote_name
    return (
        f"SELECT {BYLINE.select('b', using)}, {AUTHOR.select('au', using)}, "
        f"{IMAGE.select('p', using)} FROM {_table(Byline, using)} b "
        f"INNER JOIN {_table(Author, using)} au ON au.{q('id')} = b.{q('author_id')} "
        f"LEFT OUTER JOIN {_table(Image, using)} p ON p.{q('id')} = au.{q('photo_id')} "
        f"WHERE b.{q('article_id')} IN ({{ids}}) "
        f"ORDER BY b.{q('article_id')}, b.{q('position')}, b.{q('id')}"
    )


@cache
def _teasers_sql(using: str) -> str:
    q = connections[using].ops.quote_name
    return (
        f"SELECT {TEASER.select('a', using)}, {SECTION.select('s', using)}, "
        f"{IMAGE.select('i', using)} FROM {_table(Article, using)} a "
        f"LEFT OUTER JOIN {_table(Section, using)} s ON s.{q('id')} = a.{q('section_id')} "
        f"LEFT OUTER JOIN {_table(Image, using)} i ON i.{q('id')} = a.{q('lead_image_id')} "
        f"WHERE a.{q('id')} IN ({{ids}}) "
        f"ORDER BY a.{q('published_at')} DESC, a.{q('id')} DESC"
    )


def _in_list(sql: str, ids) -> str:
    return sql.replace("{ids}", ", ".join(["%s"] * len(ids)))


@cache
def _tags_sql(using: str) -> str:
    q = connections[using].ops.quote_name
    through = Article.tags.through._meta.db_table
    return (
        f"SELECT {TAG.select('t', using)} FROM {_table(Tag, using)} t "
        f"INNER JOIN {q(through)} m ON m.{q('tag_id')} = t.{q('id')} "
        f"WHERE m.{q('article_id')} = %s ORDER BY t.{q('name')}, t.{q('id')}"
    )


@cache
def _navigation_sql(using: str) -> str:
    q = connections[using].ops.quote_name
    return (
        f"SELECT {SECTION.select('s', using)} FROM {_table(Section, using)} s "
        f"WHERE s.{q('in_navigation')} ORDER BY s.{q('position')}, s.{q('name')}, s.{q('id')}"
    )


def published_article(pub_date: dt.date, slug: str, kind: str = Article.Kind.ARTICLE,
                      now: dt.datetime | None = None,
                      using: str = DEFAULT_DB_ALIAS) -> Article | None:
    connection = connections[using]
    ops = connection.ops
    rows = fetch(_article_sql(using), [
        ops.adapt_datefield_value(pub_date), slug, kind, *VISIBLE_STATUSES,
        ops.adapt_datetimefield_value(now or timezone.now()),
    ], using, connection)
    if not rows:
        return None
    article = _with_section_and_image(ARTICLE, rows[0], using, {}, connection)
    attach_bylines([article], using, connection=connection)
    _set_prefetched(article, "tags", tags_of(article.pk, using, connection))
    return article


def teasers(ids, using: str = DEFAULT_DB_ALIAS) -> list[Article]:
    ids = list(ids)
    if not ids:
        return []
    connection = connections[using]
    shared: dict = {}
    articles = [_with_section_and_image(TEASER, row, using, shared, connection)
                for row in fetch(_in_list(_teasers_sql(using), ids), ids, using, connection)]
    attach_bylines(articles, using, shared, connection)
    return articles


def _with_section_and_image(reader: RowReader, row, using: str, shared: dict,
                            connection) -> Article:
    article = reader.build(row, 0, using, connection)
    Article.section.field.set_cached_value(
        article, SECTION.build_shared(row, reader.width, shared, using, connection))
    Article.lead_image.field.set_cached_value(
        article, IMAGE.build_shared(row, reader.width + SECTION.width, shared, using,
                                    connection))
    return article


def attach_bylines(articles: list[Article], using: str = DEFAULT_DB_ALIAS,
                   shared: dict | None = None, connection=None) -> None:
    """Each article's bylines, in order, with authors, as `ordered_bylines` (one query)."""
    shared = {} if shared is None else shared
    connection = connection or connections[using]
    by_id = {article.pk: article for article in articles}
    for article in articles:
        article.ordered_bylines = []
    ids = list(by_id)
    if not ids:
        return
    for row in fetch(_in_list(_bylines_sql(using), ids), ids, using, connection):
        byline = BYLINE.build(row, 0, using, connection)
        article = by_id[byline.article_id]
        author = AUTHOR.build_shared(row, BYLINE.width, shared, using, connection)
        if not Author.photo.is_cached(author):
            Author.photo.field.set_cached_value(author, IMAGE.build_shared(
                row, BYLINE.width + AUTHOR.width, shared, using, connection))
        Byline.author.field.set_cached_value(byline, author)
        Byline.article.field.set_cached_value(byline, article)
        article.ordered_bylines.append(byline)


def tags_of(article_id: int, using: str = DEFAULT_DB_ALIAS, connection=None) -> list[Tag]:
    connection = connection or connections[using]
    return [TAG.build(row, 0, using, connection)
            for row in fetch(_tags_sql(using), [article_id], using, connection)]


def navigation_sections(using: str = DEFAULT_DB_ALIAS) -> list[Section]:
    connection = connections[using]
    return [SECTION.build(row, 0, using, connection)
            for row in fetch(_navigation_sql(using), [], using, connection)]


def _set_prefetched(instance, name: str, objects: list) -> None:
    """Make `instance.<name>.all()` answer `objects` without a query, as prefetch_related does
    (Django's own prefetch stores an evaluated queryset in `_prefetched_objects_cache`)."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    instance._prefetched_objects_cache = {
        **getattr(instance, "_prefetched_objects_cache", {}), name: queryset}
