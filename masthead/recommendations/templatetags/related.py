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
    request = context.get("request")
    surrogate.add(request, *surrogate.article_keys(shown))
    # A list drawn from the section or tags changes when another article joins them, so the
    # page is purged when one does ("Latest from <section>", or the fallback list).
    if related.latest or related.from_listing:
        if article.section_id:
            surrogate.add(request, f"near-section:{article.section_id}")
        if related.from_listing:
            surrogate.add(request, *(f"near-tag:{t.pk}" for t in article.tags.all()))
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
