"""`annotate_comment_counts(articles)`: approved-comment counts for a list of teasers.

One query for the whole list (no N+1): sets `article.approved_comment_count` on each article,
for listing and front-page templates that show "N comments" (pending, spam and trash never
count). Renders nothing. Written as SQL because the listing pages call it on every render and
the ORM took longer to build this `GROUP BY` than the database took to run it
(`masthead/core/rows.py`); a test compares it with the ORM's count.
"""

from django import template
from django.db import connection

from masthead.core.rows import fetch

from ..models import Comment

register = template.Library()


def _counts(ids: list[int]) -> dict[int, int]:
    q = connection.ops.quote_name
    sql = (f"SELECT {q('article_id')}, COUNT(*) FROM {q(Comment._meta.db_table)} "
           f"WHERE {q('status')} = %s AND {q('article_id')} IN ({', '.join(['%s'] * len(ids))}) "
           f"GROUP BY {q('article_id')}")
    return dict(fetch(sql, [Comment.Status.APPROVED.value, *ids]))


@register.simple_tag
def annotate_comment_counts(*groups) -> str:
    articles = [a for group in groups for a in (group or [])]
    ids = sorted({a.pk for a in articles})
    counts = _counts(ids) if ids else {}
    for article in articles:
        article.approved_comment_count = counts.get(article.pk, 0)
    return ""
