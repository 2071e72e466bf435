"""The article page's "Articles You May Like" block: what it lists and what it depends on.

`block_context(request, article)` is rendered by the reader templates (Jinja2,
`masthead/templating.py`) with `recommendations/block.html`.
"""

from __future__ import annotations

from masthead.core import surrogate

from .services import related_for


def block_context(request, article) -> dict:
    related = related_for(article)
    shown = related.articles + related.latest
    surrogate.add(request, *surrogate.article_keys(shown))
    # A list drawn from the section or tags changes when another article joins them, so the
    # page is purged when one does ("Latest from <section>", or the fallback list).
    if related.latest or related.from_listing:
        if article.section_id:
            surrogate.add(request, f"near-section:{article.section_id}")
        if related.from_listing:
            surrogate.add(request, *(f"near-tag:{t.pk}" for t in article.tags.all()))
    return {"related": related, "article": article}
