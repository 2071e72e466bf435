"""`{% related_panel article as panel %}`: the newsroom panel's data (Django templates).

The reader page's block is `masthead/recommendations/blocks.py`.
"""

from django import template
from django.urls import NoReverseMatch, reverse

from masthead.recommendations.services import panel_for

register = template.Library()


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
