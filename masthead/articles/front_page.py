"""What the front page shows: top stories, the latest, and each navigation section's newest.

Four queries whatever the number of sections: the sections; the ids of the union of "the 3
newest featured", "the 13 newest" and, per navigation section, "its 4 newest" (each a small
`LIMIT` subquery that an index on `(…, published_at, id)` answers by reading only those rows);
then those stories and their bylines (`reading.teasers`). The blocks are cut from that set in
Python. Why this is exact: each block's members are the newest of some subset of visible
stories, and every one of them is in the set, so the newest members of that subset *within the
set* are the same rows.
A window function ranking every published story took seconds at 100,000 articles; building
one ORM subquery per block cost Django more than running them (docs/performance.md), so the
statements are SQL, with the visibility rule of `Article.objects.published()` (the exactness
test compares the blocks with one ORM query per block).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from masthead.core.rows import fetch

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


def _newest(using: str, n: int, column: str = "") -> str:
    """The newest `n` visible stories, with `column` true (featured) or equal to a parameter
    (section_id); parameters: the visibility rule's, then that one."""
    q = connections[using].ops.quote_name
    # `featured = TRUE`, not a bare `featured`: only an equality lets SQLite seek the
    # (featured, published_at, id) index (a bare column walked the archive: 2.6 s at 1M).
    condition = {"": "", "featured": f" AND a.{q('featured')} = TRUE",
                 "section_id": f" AND a.{q('section_id')} = %s"}[column]
    return (
        f"SELECT a.{q('id')} FROM {q(Article._meta.db_table)} a "
        f"WHERE a.{q('status')} IN (%s, %s) AND a.{q('published_at')} <= %s "
        f"AND a.{q('kind')} = %s{condition} "
        f"ORDER BY a.{q('published_at')} DESC, a.{q('id')} DESC LIMIT {n}"
    )


def _newest_ids(sections, using: str = DEFAULT_DB_ALIAS) -> set[int]:
    """The ids of the 3 newest featured, the 13 newest and each section's 4 newest stories,
    as one UNION ALL of small ordered subqueries (SQL, for the reason core/rows.py gives: the
    ORM took ~0.7 ms of Python to build each one)."""
    visible = [*reading.VISIBLE_STATUSES,
               connections[using].ops.adapt_datetimefield_value(timezone.now()),
               Article.Kind.ARTICLE.value]
    parts = [(_newest(using, FEATURED_COUNT, "featured"), visible),
             # Featured stories are not repeated under Latest, so the newest 10 others are
             # among the newest 10 + 3.
             (_newest(using, LATEST_COUNT + FEATURED_COUNT), visible)]
    section_sql = _newest(using, SECTION_BLOCK_SIZE, "section_id")
    parts += [(section_sql, [*visible, section.pk]) for section in sections]
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) newest_{n}"
                               for n, (sql, _) in enumerate(parts))
    return {row[0] for row in fetch(union, [p for _, params in parts for p in params], using)}


def front_page_stories() -> FrontPage:
    sections = reading.navigation_sections()
    ids = _newest_ids(sections)
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
