"""What the article page asks for: `related_for(article)` → the "Articles You May Like" list."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from . import fallback


@dataclass
class RelatedList:
    articles: list = field(default_factory=list)
    # "Latest from <section>" stories shown under their own label when too few are related.
    latest_label: str = ""
    latest: list = field(default_factory=list)


def related_for(article, n: int | None = None) -> RelatedList:
    n = n or settings.MASTHEAD_RELATED_COUNT
    # Fallback until the engine's stored lists exist (see fallback.py).
    return RelatedList(articles=fallback.latest_sharing_tags_or_section(article, n))
