"""`{% related_block article %}` (the article page's "Articles You May Like") and
`{% related_panel article as panel %}` (the newsroom panel's data)."""

from django import template
from django.urls import NoReverseMatch, reverse

from masthead.core import surrogate
from masthead.recommendations.services import panel_for, related_for

register = template.Library()


@register.inclusion_tag("recommendations/block.html", takes_context=True)
def related_block(context, article):
    related = related_for(article)
    shown = related.articles + related.latest
    surrogate.add(context.get("request"), *surrogate.article_keys(shown))
    return {"related": related, "article": article}


@register.simple_tag
def related_panel(article):
    """The panel's list, plus the URLs its buttons post to (none until the app's URLs are
    mounted: the panel then shows the list read-only rather than breaking the editor)."""
    panel = panel_for(article)
    try:
        panel["urls"] = {name: reverse(f"recommendations:{name}", args=[article.pk])
                         for name in ("pin", "exclude", "clear")}
    except NoReverseMatch:
        panel["urls"] = None
    return panel
