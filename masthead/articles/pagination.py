"""Listing pages without counting the listing: `?page=N` of a section, tag or author.

A listing page shows its stories and links to the newer and older pages. It never shows a total,
so it never counts: Django's `Paginator` runs `COUNT(*)` over every visible story of the
listing on each render, which took 45 ms for one section of a 55,000-article site (each row's
status is checked in the table) and grows with the archive. One extra row tells whether an
older page exists.

Deep pages (issue 20). An OFFSET makes the database walk every row before the page: page 5,000
of a section is 100,000 rows. So the links a reader (or crawler) follows carry a *keyset
cursor* besides the page number: "Older" is `?page=N+1&older=KEY` with KEY the (published_at,
id) of the last story shown, and the next page is the stories strictly after it in listing
order: `WHERE (published_at, id) < KEY ORDER BY published_at DESC, id DESC LIMIT size+1`, one
index seek whatever the depth. "Newer" is `?page=N-1&newer=KEY` with the first story's key
(page 1 is linked plainly, it is the canonical URL). The page number in such a URL only labels
the page. A bare `?page=N` (typed, bookmarked, the canonical URL of page N) still works through
OFFSET, over an index that covers the listing's filter (migration 0003), but not from the
top: the key of every ANCHOR_EVERY-th page boundary is kept in the cache for ANCHOR_SECONDS,
and page N seeks to the anchor below it and skips at most ANCHOR_EVERY pages from there (an
OFFSET of 100,000 index entries took 83 ms on SQLite at 1M articles; one of at most 1,000,
under 2 ms). An anchor goes stale as stories are published (page N then starts up to a few
stories away from where a fresh count would put it, for at most ANCHOR_SECONDS): listings of
a news site shift anyway. KEY is `<microseconds since 1970>.<id>`; a malformed one is a 404
like a bad page number. docs/performance.md has the measured times at 1M articles.

Tag and author listings page their link tables rather than articles (`fields=LINK_KEY`):
`listed_at` there is the story's published_at (NULL when not listable), indexed after the tag
or author id, so each of the reads above is one range of that index (decision 0007).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q
from django.http import Http404

# Far beyond any archive, and keeps the row offset within what the databases accept (a page
# number of 10**22 overflowed SQLite's 64-bit OFFSET: a server error instead of a 404).
MAX_PAGE = 100_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ANCHOR_EVERY = 50  # pages between cached anchors: at most 50 × page size rows skipped
ANCHOR_SECONDS = 600
_KEY = re.compile(r"(-?\d{1,17})\.(\d{1,18})")

# The listing key's (time, id) field names in the queryset being paged. Section listings page
# articles; tag and author listings page their link rows (`ArticleTag`, `Byline`), whose
# `listed_at` is the article's published_at (models.py), so the keys in the URLs are the same.
Fields = tuple[str, str]
ARTICLE_KEY: Fields = ("published_at", "pk")
LINK_KEY: Fields = ("listed_at", "article_id")


def encode_key(published_at: dt.datetime, pk: int) -> str:
    delta = published_at - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{pk}"


def decode_key(text: str) -> tuple[dt.datetime, int]:
    match = _KEY.fullmatch(text or "")
    if not match:
        raise Http404("No such page")
    try:
        return EPOCH + dt.timedelta(microseconds=int(match[1])), int(match[2])
    except OverflowError:
        raise Http404("No such page") from None


@dataclass
class ListingPage:
    number: int
    object_list: list
    has_next: bool
    first_key: str = ""
    last_key: str = ""

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_query(self) -> str:
        """The query string of the "Newer" link (page 1 without a cursor: its canonical URL)."""
        if self.number == 2:
            return "?page=1"
        return f"?page={self.number - 1}&newer={self.first_key}"

    @property
    def next_query(self) -> str:
        return f"?page={self.number + 1}&older={self.last_key}"


def _number(page_param: str | None) -> int:
    try:
        number = int(page_param or "1")
    except ValueError:
        raise Http404("No such page") from None
    if not 1 <= number <= MAX_PAGE:
        raise Http404("No such page")
    return number


def _older_than(queryset, key: tuple[dt.datetime, int], fields: Fields = ARTICLE_KEY):
    when, pk = key
    at, id_ = fields
    # The key's condition comes first in the WHERE clause: SQLite bounds the index range by
    # the first of several `published_at <=` terms, and published()'s `<= now` would make it
    # walk from the newest story down to the key (127 ms at page 5,000 of a 1M archive).
    # `published_at <= when` is what bounds the range; the OR settles ties on the id.
    cond = queryset.model._default_manager.filter(
        Q(**{f"{at}__lt": when}) | Q(**{at: when, f"{id_}__lt": pk}), **{f"{at}__lte": when})
    return (cond & queryset).values_list(at, id_)


def _newer_than(queryset, key: tuple[dt.datetime, int], fields: Fields = ARTICLE_KEY):
    when, pk = key
    at, id_ = fields
    cond = queryset.model._default_manager.filter(
        Q(**{f"{at}__gt": when}) | Q(**{at: when, f"{id_}__gt": pk}), **{f"{at}__gte": when})
    return (cond & queryset).values_list(at, id_)


def _newest_first(keys, fields: Fields):
    return keys.order_by(*(f"-{f}" for f in fields))


def _anchor(keys, anchor_id: str, pages: int, size: int,
            fields: Fields = ARTICLE_KEY) -> tuple[dt.datetime, int] | None:
    """The key of the last story on page `pages` (cached), or None if there is no such row."""
    cache_key = f"listing-anchor:{anchor_id}:{size}:{pages}"
    if (found := cache.get(cache_key)) is not None:
        return decode_key(found)
    rows = list(_newest_first(keys, fields)[pages * size - 1:pages * size])
    if not rows:
        return None
    cache.set(cache_key, encode_key(*rows[0]), ANCHOR_SECONDS)
    return rows[0]


def page_rows(queryset, number: int, size: int, older: str | None = None,
              newer: str | None = None, anchor_id: str = "",
              fields: Fields = ARTICLE_KEY) -> tuple[list[tuple[dt.datetime, int]], bool]:
    """(published_at, id) of the page's stories in listing order, and whether more follow.

    `queryset` is any queryset whose rows carry the listing key in `fields` (an article
    queryset: `published_at`, `pk`; a tag or byline link queryset: `listed_at`, `article_id`);
    it is ordered here, newest first. `anchor_id` names the listing in the anchor cache (no
    anchors without it)."""
    at, id_ = fields
    keys = queryset.values_list(at, id_)
    if older:
        rows = list(_newest_first(_older_than(queryset, decode_key(older), fields), fields)
                    [:size + 1])
        return rows[:size], len(rows) > size
    if newer:
        rows = list(_newer_than(queryset, decode_key(newer), fields)
                    .order_by(at, id_)[:size])
        if len(rows) == size:  # the cursor row itself is older, so a next page exists
            return rows[::-1], True
        # The archive changed under the reader (fewer newer stories than a page): number it.
    skip_pages = number - 1
    anchor_pages = skip_pages // ANCHOR_EVERY * ANCHOR_EVERY if anchor_id else 0
    if anchor_pages:
        anchor = _anchor(keys, anchor_id, anchor_pages, size, fields)
        if anchor is None:
            return [], False
        keys = _older_than(queryset, anchor, fields)
        skip_pages -= anchor_pages
    start = skip_pages * size
    rows = list(_newest_first(keys, fields)[start:start + size + 1])
    return rows[:size], len(rows) > size


def listing_page(queryset, params, size: int, anchor_id: str = "",
                 fields: Fields = ARTICLE_KEY) -> ListingPage:
    """The page that the query parameters `params` (`page`, `older`, `newer`) ask for, of
    the stories in `queryset` (keyed by `fields`, see `page_rows`), as article ids; 404 for a
    bad or empty page (an empty listing's first page is not an error). `anchor_id` names the
    listing for the anchor cache."""
    number = _number(params.get("page"))
    rows, has_next = page_rows(queryset, number, size, params.get("older"),
                               params.get("newer"), anchor_id, fields)
    if not rows and number > 1:
        raise Http404("No such page")
    return ListingPage(
        number=number, object_list=[pk for _, pk in rows], has_next=has_next,
        first_key=encode_key(*rows[0]) if rows else "",
        last_key=encode_key(*rows[-1]) if rows else "",
    )
