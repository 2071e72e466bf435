"""What the front page shows: top stories, the latest, and each navigation section's newest.

One query of article rows (plus one for their bylines), whatever the number of sections: the
union of "the 3 newest featured", "the 13 newest" and, per navigation section, "its 4 newest",
each a small `LIMIT` subquery that an index on `(…, published_at, id)` answers by reading only
those rows. The blocks are then cut from that set in Python. Why this is exact: each block's
members are the newest of some subset of visible stories, and every one of them is in the set,
so the newest members of that subset *within the set* are the same rows. A window function
ranking every published story took seconds at 100,000 articles; one query per block cost
Django about 1 ms each to build (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from .models import Article, Section

FEATURED_COUNT = 3
LATEST_COUNT = 10
SECTION_BLOCK_SIZE = 4


@dataclass
class FrontPage:
    featured: list[Article] = field(default_factory=list)
    latest: list[Article] = field(default_factory=list)
    section_blocks: list[tuple[Section, list[Article]]] = field(default_factory=list)

    @property
    def shown(self) -> list[Article]:
        return self.featured + self.latest + [a for _, items in self.section_blocks
                                              for a in items]


def _newest(queryset, n: int):
    return Q(pk__in=queryset.order_by("-published_at", "-id").values("pk")[:n])


def front_page_stories() -> FrontPage:
    visible = Article.objects.published().stories()
    sections = list(Section.objects.navigation())
    wanted = _newest(visible.filter(featured=True), FEATURED_COUNT)
    # Featured stories are not repeated under Latest, so the newest 10 others are among the
    # newest 10 + 3.
    wanted |= _newest(visible, LATEST_COUNT + FEATURED_COUNT)
    for section in sections:
        wanted |= _newest(visible.filter(section=section), SECTION_BLOCK_SIZE)
    # Visibility is already in every subquery; repeating it outside would make SQLite walk the
    # date index of all stories instead of looking up the few ids (39 ms instead of 1 at 10k).
    stories = list(Article.objects.filter(wanted).for_listing())  # newest first

    featured = [a for a in stories if a.featured][:FEATURED_COUNT]
    featured_ids = {a.pk for a in featured}
    page = FrontPage(featured=featured,
                     latest=[a for a in stories if a.pk not in featured_ids][:LATEST_COUNT])
    for section in sections:
        items = [a for a in stories if a.section_id == section.pk][:SECTION_BLOCK_SIZE]
        if items:
            page.section_blocks.append((section, items))
    return page
