"""The interface every search engine implements, and what a search returns.

A backend only knows its own index: it stores `Document`s, forgets article ids, and answers a
`ParsedQuery` over the whole index, or restricted to index entries carrying filter `terms`
(`facets.FilterTerms`, the reader's filters; matched inside the index), or restricted to
`candidates`, any queryset of articles (checked per match against the articles table: general,
but a look-up per match, so the search page uses `terms`).
Ranking, stemming and snippets are the engine's; parsing, filters, paging, checking the shown
page against `published()` and suggestions are shared (see `services`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from ..documents import Document
from ..facets import FilterTerms
from ..query import ParsedQuery

# The matches a search scores at most, the newest ones, when it has more (issue 20; how each
# engine finds them: sqlite_fts5.py, postgres_window.py; docs/search.md, "At a million
# articles"). At least services.MAX_RESULTS, the deepest result the site pages to; bm25 over
# 4,000 matches is about 9 ms of CPU.
RANK_WINDOW = 4000


def rank_window() -> int:
    return getattr(settings, "MASTHEAD_SEARCH_RANK_WINDOW", RANK_WINDOW)


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float
    # Headline and body excerpt with matches wrapped in snippets.START/END (see snippets.py).
    title: str = ""
    snippet: str = ""


@dataclass
class SearchResults:
    total: int  # exact up to `cap`; `cap + 1` means "more than cap"
    hits: list[Hit] = field(default_factory=list)


class SearchBackend(ABC):
    """An engine behind the search page and API, picked by database vendor (see __init__)."""

    name = "base"

    def __init__(self, using: str = "default"):
        self.using = using

    @abstractmethod
    def index(self, documents: Iterable[Document]) -> int:
        """Add or replace these documents; returns how many were written."""

    @abstractmethod
    def remove(self, article_ids: Iterable[int]) -> None:
        """Forget these articles (ids not in the index are ignored)."""

    @abstractmethod
    def indexed_ids(self) -> set[int]:
        """Every article id in the index (used by `search reindex` to drop stale entries)."""

    @abstractmethod
    def count(self, query: ParsedQuery, candidates, cap: int,
              terms: FilterTerms | None = None) -> int:
        """Matches (among candidates and with the terms, unless None), counted up to
        `cap + 1`."""

    @abstractmethod
    def rank(self, query: ParsedQuery, candidates, *, offset: int, limit: int,
             terms: FilterTerms | None = None) -> list[tuple[int, float]]:
        """(article id, score) of matches (among candidates and with the terms, unless
        None), best first, one page of them; equal scores newest first."""

    @abstractmethod
    def highlight(self, query: ParsedQuery, ranked: list[tuple[int, float]]) -> list[Hit]:
        """Hits for ranked ids, in the same order, with marked headline and snippet."""

    def search(self, query: ParsedQuery, candidates, *, offset: int, limit: int,
               cap: int, terms: FilterTerms | None = None) -> SearchResults:
        """One page of hits, best first; `candidates` (an Article queryset) or None for all,
        `terms` the filter terms entries must carry (or None)."""
        if terms is not None and terms.impossible:
            return SearchResults(total=0)
        ranked = self.rank(query, candidates, offset=offset, limit=limit, terms=terms)
        if offset == 0 and len(ranked) < limit:
            total = len(ranked)  # the first page holds every match: no need to count
        else:
            total = self.count(query, candidates, cap, terms)
        return SearchResults(total=total, hits=self.highlight(query, ranked) if ranked else [])

    def rebuild(self, documents: Iterable[Document]) -> int:
        """Index these documents as the whole new index while readers keep searching
        (`search reindex`); entries of other articles are then removed by the caller.
        By default in place; the engines build a new table and swap it in."""
        return self.index(documents)

    def optimise(self) -> None:  # noqa: B027 - optional hook; most engines need nothing
        """Compact the index after a bulk rebuild."""
