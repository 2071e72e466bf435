"""`{% related_block article %}`: the "Articles You May Like" section of the article page."""

from django import template

from masthead.recommendations.services import related_for

register = template.Library()


@register.inclusion_tag("recommendations/block.html")
def related_block(article):
    return {"related": related_for(article), "article": article}
