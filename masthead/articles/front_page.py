"""What the front page shows: top stories, the latest, and each navigation section's newest.

Four queries whatever the number of sections: the sections; the ids of the union of "the 3
newest featured", "the 13 newest" and, per navigation section, "its 4 newest" (each a small
`LIMIT` subquery that an index on `(…, published_at, id)` answers by reading only those rows);
then those stories and their bylines (`reading.teasers`). The blocks are cut from that set in
Python. Why this is exact: each block's members are the newest of some subset of visible
stories, and every one of them is in the set, so the newest members of that subset *within the
set* are the same rows.
A window function ranking every published story took seconds at 100,000 articles; building
one ORM subquery per block cost Django more than running them (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections

from . import reading
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


# A section id no database hands out: it marks the parameter that differs between the
# sections' subqueries (see `_newest_ids`).
_SECTION_MARK = -7_340_051


def _sql(queryset, n: int) -> tuple[str, tuple]:
    return (queryset.order_by("-published_at", "-id").values_list("pk", flat=True)[:n]
            .query.sql_with_params())


def _newest_ids(visible, sections) -> set[int]:
    """The ids of the 3 newest featured, the 13 newest and each section's 4 newest stories.

    Django takes about 0.7 ms of Python to build and compile each subquery, several times
    what the database takes to answer it. The sections' subqueries differ only in the
    section, so one is compiled and repeated with each section's id in place of the mark;
    all run as one UNION ALL.
    """
    parts = [_sql(visible.filter(featured=True), FEATURED_COUNT),
             # Featured stories are not repeated under Latest, so the newest 10 others are
             # among the newest 10 + 3.
             _sql(visible, LATEST_COUNT + FEATURED_COUNT)]
    if sections:
        sql, params = _sql(visible.filter(section_id=_SECTION_MARK), SECTION_BLOCK_SIZE)
        at = params.index(_SECTION_MARK)
        parts += [(sql, params[:at] + (section.pk,) + params[at + 1:]) for section in sections]
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) newest_{n}"
                               for n, (sql, _) in enumerate(parts))
    with connections[visible.db].cursor() as cursor:
        cursor.execute(union, [p for _, params in parts for p in params])
        return {row[0] for row in cursor.fetchall()}


def front_page_stories() -> FrontPage:
    visible = Article.objects.published().stories()
    sections = list(Section.objects.navigation())
    ids = _newest_ids(visible, sections)
    stories = reading.teasers(ids)  # newest first

    featured = [a for a in stories if a.featured][:FEATURED_COUNT]
    featured_ids = {a.pk for a in featured}
    page = FrontPage(featured=featured,
                     latest=[a for a in stories if a.pk not in featured_ids][:LATEST_COUNT])
    for section in sections:
        items = [a for a in stories if a.section_id == section.pk][:SECTION_BLOCK_SIZE]
        if items:
            page.section_blocks.append((section, items))
    return page
