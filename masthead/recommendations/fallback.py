"""The fallback list: most recent published articles sharing a tag or, failing that, the section.

This is what most news sites show as "related". Masthead uses it only when the engine has not
computed a list for an article yet (e.g. just after a fresh install, before the first rebuild),
and, the same rule written as SQL in reading.py (`latest_in_section`), as the clearly labelled
"Latest from <section>" line when too few articles are truly related.

The tagged stories come from the tag links' listing index (`ArticleTag.listed_at`, decision
0007), newest `n` of each tag, merged: joining the link table to articles with DISTINCT read
and sorted every story of the article's tags, a popular tag's 700,000 of a 1M archive on every
render of an article whose list was not built yet (issue 20: the 1M render benchmark did not
finish).
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from masthead.articles.models import Article, ArticleTag

from . import documents


def _newest_sharing_tags(article, tag_ids: list[int], n: int) -> list[int]:
    """Ids of the `n` newest visible stories holding any of `tag_ids`, newest first.

    One statement whatever the number of tags (the page's query count must not depend on
    it): the newest `n` of each tag by the listing index, UNION ALL, merged here."""
    table = connection.ops.quote_name(ArticleTag._meta.db_table)
    one_tag = (f"SELECT * FROM (SELECT listed_at, article_id FROM {table} "
               f"WHERE tag_id = %s AND listed_at <= %s AND article_id <> %s "
               f"ORDER BY listed_at DESC, article_id DESC LIMIT %s) AS t{{n}}")
    sql = " UNION ALL ".join(one_tag.format(n=i) for i in range(len(tag_ids)))
    now = connection.ops.adapt_datetimefield_value(timezone.now())  # as the column stores it
    params = [p for tag_id in tag_ids for p in (tag_id, now, article.pk, n)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Dates come back as strings from SQLite's raw cursor in its stored ISO format, which
    # sorts as the dates do; the id settles ties, as in the listings.
    ids: list[int] = []
    for _, article_id in sorted(rows, reverse=True):
        if article_id not in ids:
            ids.append(article_id)
            if len(ids) == n:
                break
    return ids


def latest_sharing_tags_or_section(article, n: int) -> list[Article]:
    visible = Article.objects.published().stories().exclude(pk=article.pk)
    tag_ids = [t.pk for t in article.tags.all()]
    picked: list[Article] = []
    if tag_ids:
        ids = _newest_sharing_tags(article, tag_ids, n)
        # Through `visible` again: the same rule as the listings, checked on the article.
        # ... looked up by id (documents.candidates_among): filtered directly, SQLite without
        # ANALYZE statistics walked the kind index through every story (1M: 1,021 ms).
        found = (documents.candidates_among(ids).exclude(pk=article.pk).for_listing()
                 .in_bulk(ids))
        picked = [found[pk] for pk in ids if pk in found]
    if len(picked) < n and article.section_id:
        more = visible.filter(section_id=article.section_id).exclude(
            pk__in=[a.pk for a in picked]
        ).for_listing()[: n - len(picked)]
        picked.extend(more)
    return picked

