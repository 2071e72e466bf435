"""What the front page shows: the lead, the top stories, the latest, and each navigation
section's block, with the editor's choices (`FrontPageSlot`) first and no story twice.

The rules, in the order they place stories (every step skips what an earlier one placed):
1. the editor's lead, top stories (in their order) and section pins, if still visible (an
   unpublished, deleted or not-yet-due story drops out; a pin whose story moved to another
   section, or whose section left the navigation, is ignored);
2. an empty lead: the newest featured story, else the newest story;
3. top stories up to TOP_COUNT: the newest featured stories, then the newest stories;
4. latest: the LATEST_COUNT newest stories;
5. each section block: its pin, then the section's newest stories, up to SECTION_BLOCK_SIZE.

Four queries whatever the number of sections or slots: the sections; one UNION ALL of small
ordered `LIMIT` subqueries (the curated slots joined to their visible stories, the newest
featured, the newest, each navigation section's newest) returning light rows (id, time,
section, featured, slot); then only the stories shown and their bylines (`reading.teasers`).
The blocks are cut from those rows in Python. Why this is exact: every story a block takes is
among the newest of its pool once the stories placed before it are skipped, and at most
`reserved` of those can be skipped (the curated ones, the lead and top stories, the latest…),
so each subquery's limit is the block's size plus what it can lose (see `_limits`). The
exactness test compares the blocks with ORM queries over every visible story on random sites.
A window function ranking every published story took seconds at 100,000 articles; building
one ORM subquery per block cost Django more than running them (docs/performance.md), so the
statements are SQL, with the visibility rule of `Article.objects.published()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from masthead.core.rows import fetch

from . import reading
from .models import Article, FrontPageSlot, Section

TOP_COUNT = 4  # top stories besides the lead: five curated places with it
LATEST_COUNT = 10
SECTION_BLOCK_SIZE = 4
FEATURED_COUNT = 1 + TOP_COUNT  # the old name: lead and top stories together

Slot = FrontPageSlot.Block


@dataclass
class FrontPage:
    lead: Article | None = None
    top: list[Article] = field(default_factory=list)
    latest: list[Article] = field(default_factory=list)
    section_blocks: list[tuple[Section, list[Article]]] = field(default_factory=list)

    @property
    def featured(self) -> list[Article]:
        """The lead then the top stories: what templates written before curation show as
        "Top stories", the first one large."""
        return ([self.lead] if self.lead else []) + self.top

    @property
    def shown(self) -> list[Article]:
        return self.featured + self.latest + [a for _, items in self.section_blocks
                                              for a in items]


@dataclass
class _Candidate:
    pk: int
    published_at: object  # a datetime, or SQLite's text: compared only with its own kind
    section_id: int | None
    featured: bool


def _visible_sql(using: str) -> str:
    q = connections[using].ops.quote_name
    return (f"a.{q('status')} IN (%s, %s) AND a.{q('published_at')} <= %s "
            f"AND a.{q('kind')} = %s")


def _columns(using: str) -> str:
    q = connections[using].ops.quote_name
    return (f"a.{q('id')} AS {q('id')}, a.{q('published_at')} AS {q('published_at')}, "
            f"a.{q('section_id')} AS {q('section_id')}, a.{q('featured')} AS {q('featured')}")


def _newest(using: str, n: int, column: str = "") -> str:
    """The newest `n` visible stories, with `column` true (featured) or equal to a parameter
    (section_id), as light rows with no slot; parameters: the visibility rule's, then that
    one."""
    q = connections[using].ops.quote_name
    # `featured = TRUE`, not a bare `featured`: only an equality lets SQLite seek the
    # (featured, published_at, id) index (a bare column walked the archive: 2.6 s at 1M).
    condition = {"": "", "featured": f" AND a.{q('featured')} = TRUE",
                 "section_id": f" AND a.{q('section_id')} = %s"}[column]
    return (
        f"SELECT {_columns(using)}, 0 AS {q('block')}, 0 AS {q('slot_section')}, "
        f"0 AS {q('position')} FROM {q(Article._meta.db_table)} a "
        f"WHERE {_visible_sql(using)}{condition} "
        f"ORDER BY a.{q('published_at')} DESC, a.{q('id')} DESC LIMIT {n}"
    )


def _curated(using: str) -> str:
    """The slots whose stories are visible, with those stories' light rows.

    CROSS JOIN, not INNER JOIN: SQLite joins in the written order then, reading the few slots
    and looking each story up by its key. With an INNER JOIN it chose to walk every visible
    story and probe the slots: 200 ms at 100,000 articles instead of 2 ms for the whole front
    page. PostgreSQL plans both alike."""
    q = connections[using].ops.quote_name
    return (
        f"SELECT {_columns(using)}, f.{q('block')} AS {q('block')}, "
        f"COALESCE(f.{q('section_id')}, 0) AS {q('slot_section')}, "
        f"f.{q('position')} AS {q('position')} "
        f"FROM {q(FrontPageSlot._meta.db_table)} f "
        f"CROSS JOIN {q(Article._meta.db_table)} a "
        f"WHERE a.{q('id')} = f.{q('article_id')} AND {_visible_sql(using)}"
    )


def _limits(sections) -> tuple[int, int, int]:
    """How many of the newest featured, newest, and each section's newest stories can matter.

    At most `reserved` stories are curated (a lead, TOP_COUNT top stories, a pin per
    navigation section). The lead and top stories drawn from the featured skip at most those;
    the lead, top and latest drawn by recency skip at most those too; a section block skips at
    most the lead, top and latest stories in its section and its own pin (pins of other
    sections are other sections' stories)."""
    reserved = 1 + TOP_COUNT + len(sections)
    return (1 + TOP_COUNT + reserved, 1 + TOP_COUNT + LATEST_COUNT + reserved,
            1 + TOP_COUNT + LATEST_COUNT + SECTION_BLOCK_SIZE)


def _candidate_rows(sections, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """One UNION ALL of the curated slots and the small ordered subqueries (SQL, for the
    reason core/rows.py gives: the ORM took ~0.7 ms of Python to build each one)."""
    visible = [*reading.VISIBLE_STATUSES,
               connections[using].ops.adapt_datetimefield_value(timezone.now()),
               Article.Kind.ARTICLE.value]
    featured_n, newest_n, section_n = _limits(sections)
    parts = [(_curated(using), visible),
             (_newest(using, featured_n, "featured"), visible),
             (_newest(using, newest_n), visible)]
    section_sql = _newest(using, section_n, "section_id")
    parts += [(section_sql, [*visible, section.pk]) for section in sections]
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) part_{n}"
                               for n, (sql, _) in enumerate(parts))
    return fetch(union, [p for _, params in parts for p in params], using)


def _place(sections, rows) -> tuple[int | None, list[int], list[int], list[tuple]]:
    """The rules of the module docstring applied to the candidate rows: the ids of the lead,
    the top stories, the latest and each section's block."""
    candidates: dict[int, _Candidate] = {}
    lead, top, pins = None, {}, {}
    for pk, published_at, section_id, featured, block, slot_section, position in rows:
        candidates[pk] = _Candidate(pk, published_at, section_id, bool(featured))
        if block == Slot.LEAD:
            lead = pk
        elif block == Slot.TOP and position < TOP_COUNT:
            top[position] = pk
        elif block == Slot.SECTION and slot_section == section_id:
            pins[slot_section] = pk
    nav = {s.pk for s in sections}
    pins = {s: pk for s, pk in pins.items() if s in nav}
    newest = sorted(candidates.values(), key=lambda c: (c.published_at, c.pk), reverse=True)
    top_ids = [top[p] for p in sorted(top)]
    placed = {lead, *top_ids, *pins.values()} - {None}

    def take(n: int, pool) -> list[int]:
        taken = []
        for c in pool:
            if len(taken) >= n:
                break
            if c.pk not in placed:
                taken.append(c.pk)
                placed.add(c.pk)
        return taken

    if lead is None:
        lead = (take(1, (c for c in newest if c.featured)) or take(1, newest) or [None])[0]
    top_ids += take(TOP_COUNT - len(top_ids), (c for c in newest if c.featured))
    top_ids += take(TOP_COUNT - len(top_ids), newest)
    latest = take(LATEST_COUNT, newest)
    blocks = []
    for section in sections:
        pin = pins.get(section.pk)
        items = ([pin] if pin else []) + take(SECTION_BLOCK_SIZE - bool(pin),
                                             (c for c in newest if c.section_id == section.pk))
        if items:
            blocks.append((section, items))
    return lead, top_ids, latest, blocks


def front_page_stories() -> FrontPage:
    sections = reading.navigation_sections()
    lead, top, latest, blocks = _place(sections, _candidate_rows(sections))
    shown = [lead] if lead else []
    shown += top + latest + [pk for _, items in blocks for pk in items]
    stories = {a.pk: a for a in reading.teasers(shown)}
    pick = lambda ids: [stories[pk] for pk in ids]  # noqa: E731 - a one-line lookup
    return FrontPage(lead=stories.get(lead), top=pick(top), latest=pick(latest),
                     section_blocks=[(s, pick(items)) for s, items in blocks])
