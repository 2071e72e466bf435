"""`{% related_block article %}`: the "Articles You May Like" section of the article page."""

from django import template

from masthead.core import surrogate
from masthead.recommendations.services import related_for

register = template.Library()


@register.inclusion_tag("recommendations/block.html", takes_context=True)
def related_block(context, article):
    related = related_for(article)
    surrogate.add(context.get("request"), *surrogate.article_keys(related.articles + related.latest))
    return {"related": related, "article": article}
