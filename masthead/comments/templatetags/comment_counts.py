"""`{% annotate_comment_counts articles %}`: approved-comment counts for a list of teasers.

One query for the whole list (no N+1): sets `article.approved_comment_count` on each article,
for listing and front-page templates that show "N comments" (pending, spam and trash never
count). Renders nothing.
"""

from django import template
from django.db.models import Count

from ..models import Comment

register = template.Library()


@register.simple_tag
def annotate_comment_counts(*groups) -> str:
    articles = [a for group in groups for a in (group or [])]
    ids = {a.pk for a in articles}
    counts = dict(
        Comment.objects.approved().filter(article_id__in=ids).order_by()
        .values_list("article_id").annotate(n=Count("id"))
    ) if ids else {}
    for article in articles:
        article.approved_comment_count = counts.get(article.pk, 0)
    return ""
