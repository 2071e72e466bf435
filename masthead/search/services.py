"""Searching and keeping the index in sync; the search page, the API and the CLI call these.

`search()` parses the reader's query, turns the reader's filters into index terms
(`facets.py`), asks the backend for one page, loads those articles for display through
`Article.objects.published()` and the filters in a fixed number of queries, and suggests a
spelling when a one-word search finds nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.safestring import SafeString

from masthead.articles.models import Article, Author, Section, Tag
from masthead.jobs.running import drop_waiting

from . import facets, snippets, vocabulary
from .backends import SearchResults, get_backend
from .documents import batched, documents, indexable
from .query import ParsedQuery, QueryError, parse

# Results beyond this many are not paged through ("more than 1,000 results"): deep pages cost
# time on both engines and no reader goes there; narrowing the query or a filter helps more.
MAX_RESULTS = 1000
ID_BATCH = 500
log = logging.getLogger("masthead.search")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,150}")


@dataclass(frozen=True)
class SearchFilters:
    section: str = ""
    tag: str = ""
    author: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_params(cls, params) -> SearchFilters:
        """Filters from query parameters (`section`, `tag`, `author` slugs, `from`, `to`)."""
        def day(name):
            value = (params.get(name) or "").strip()
            if not value:
                return None
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise QueryError("bad_date") from None

        def slug(name):
            value = (params.get(name) or "").strip()
            if value and not _SLUG.fullmatch(value):
                raise QueryError("bad_filter")
            return value

        return cls(slug("section"), slug("tag"), slug("author"), day("from"), day("to"))

    def apply(self, articles):
        if self.section:
            articles = articles.filter(section__slug=self.section)
        if self.tag:
            articles = articles.filter(tags__slug=self.tag)
        if self.author:
            articles = articles.filter(bylines__author__slug=self.author)
        tz = timezone.get_current_timezone()
        if self.date_from:
            articles = articles.filter(
                published_at__gte=dt.datetime.combine(self.date_from, dt.time.min, tz))
        if self.date_to:
            end = self.date_to + dt.timedelta(days=1)
            articles = articles.filter(published_at__lt=dt.datetime.combine(end, dt.time.min, tz))
        return articles

    def index_terms(self) -> facets.FilterTerms:
        """The filters as terms the index matches (one small query per slug given)."""
        required = []
        for slug, model, term in ((self.section, Section, facets.section_term),
                                  (self.tag, Tag, facets.tag_term),
                                  (self.author, Author, facets.author_term)):
            if slug:
                pk = model.objects.filter(slug=slug).values_list("pk", flat=True).first()
                if pk is None:
                    return facets.FilterTerms(impossible=True)
                required.append(term(pk))
        any_of, none_of, impossible = facets.for_dates(self.date_from, self.date_to,
                                                       timezone.localdate())
        return facets.FilterTerms(tuple(required), any_of, none_of, impossible)

    @property
    def active(self) -> bool:
        return bool(self.section or self.tag or self.author or self.date_from or self.date_to)

    def as_params(self) -> dict[str, str]:
        given = {"section": self.section, "tag": self.tag, "author": self.author,
                 "from": self.date_from.isoformat() if self.date_from else "",
                 "to": self.date_to.isoformat() if self.date_to else ""}
        return {k: v for k, v in given.items() if v}


@dataclass(frozen=True)
class Result:
    article: Article
    score: float
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchPage:
    query: ParsedQuery
    filters: SearchFilters
    page: int
    page_size: int
    total: int
    results: list[Result] = field(default_factory=list)
    suggestion: str | None = None

    @property
    def more_than_max(self) -> bool:
        return self.total > MAX_RESULTS

    @property
    def pages(self) -> int:
        return max(1, math.ceil(min(self.total, MAX_RESULTS) / self.page_size))


def page_size() -> int:
    return getattr(settings, "MASTHEAD_SEARCH_PAGE_SIZE", 10)


def search(raw_query: str | None, filters: SearchFilters | None = None, page: int = 1,
           size: int | None = None) -> SearchPage:
    """One page of results; raises `QueryError` for a query that cannot be searched.

    The index holds exactly the visible articles with their filter terms (the signals keep it
    so), so the engine ranks the index alone, filters included: checking every match's
    article row cost three times the ranking on SQLite, and on PostgreSQL a frequent word in
    one section took 0.8 s that way. The page shown is then loaded through
    `filters.apply(published())`: an entry the signals missed (an article withdrawn or moved
    by SQL) is left off the page and repaired in the index there and then.
    """
    query = parse(raw_query)
    filters = filters or SearchFilters()
    size = size or page_size()
    page = max(1, page)
    offset = (page - 1) * size
    terms = filters.index_terms() if filters.active else None
    backend = get_backend()
    if offset >= MAX_RESULTS:
        found = SearchResults(total=0 if terms and terms.impossible else
                              backend.count(query, None, MAX_RESULTS, terms))
    else:
        found = backend.search(query, None, offset=offset, limit=size, cap=MAX_RESULTS,
                               terms=terms)
    # What a result shows (teaser fields, section, image, bylines), not the bodies. Visibility
    # is checked as a correlated EXISTS: with `published()` applied directly, SQLite (without
    # ANALYZE statistics) walked the status index through every published article, 80 ms on
    # 100k, instead of looking the ten ids up.
    shown = filters.apply(Article.objects.published()) if filters.active else (
        Article.objects.published())
    visible = Exists(shown.filter(pk=OuterRef("pk")))
    articles = (Article.objects.for_listing().defer("body", "body_html").filter(visible)
                .order_by().in_bulk([h.article_id for h in found.hits]))
    stale = [h.article_id for h in found.hits if h.article_id not in articles]
    if stale:
        _repair_stale(stale)
    results = [
        Result(articles[h.article_id], h.score, snippets.to_html(h.title or ""),
               snippets.to_html(h.snippet or ""))
        for h in found.hits if h.article_id in articles
    ]
    outcome = SearchPage(query, filters, page, size, found.total - len(stale), results)
    if outcome.total <= 0 and query.single_word:
        word = query.single_word
        outcome.suggestion = vocabulary.suggest(
            word, lambda w: backend.count(query.replacing(word, w), None, 0, terms) > 0)
    return outcome


def _repair_stale(article_ids) -> None:
    """Re-sync entries that disagree with the articles table: an invisible article leaves the
    index, a visible one gets its current text and filter terms."""
    try:
        with transaction.atomic():
            sync_articles(article_ids)
    except DatabaseError:  # a read-only moment must not cost the reader the page
        log.exception("could not repair stale search entries %s", article_ids)
    else:
        log.warning("repaired stale search entries %s", article_ids)


def sync_articles(article_ids) -> None:
    """Make the index agree with the articles' current state (add, update or remove)."""
    backend = get_backend()
    for batch in batched(set(article_ids), ID_BATCH):
        docs = list(documents(indexable().filter(pk__in=batch)))
        backend.index(docs)
        vocabulary.add(docs)
        backend.remove(set(batch) - {d.article_id for d in docs})


def remove_articles(article_ids) -> None:
    get_backend().remove(list(article_ids))


# Queued jobs a finished rebuild makes redundant, when they were queued before it started
# (task paths: tasks.py imports this module).
REBUILD_MAKES_REDUNDANT = ("masthead.search.tasks.rebuild_index",
                           "masthead.search.tasks.sync_articles_later")


def rebuild_index(progress=None) -> int:
    """Index every visible article, drop everything else, recount the vocabulary.

    The engine builds the new index beside the live one and swaps it in (`rebuild`), so
    readers keep getting results throughout; changes made meanwhile reach both.
    `progress`, when given, wraps the stream of articles (the CLI's bar, core/progress.py)."""
    started = timezone.now()
    backend = get_backend()
    words: Counter[str] = Counter()

    articles = documents(indexable())
    if progress is not None:
        articles = progress(articles, indexable().count())

    def stream():  # one pass over the articles feeds the index and the vocabulary
        for document in articles:
            words.update(document.words())
            yield document

    indexed = backend.rebuild(stream())
    # Against what is visible now, not when each chunk was read: a story published during
    # the rebuild is in the new table (written to both) though the stream never saw it, one
    # withdrawn after its chunk was read is in it though no longer visible.
    backend.remove(backend.indexed_ids() - set(indexable().values_list("pk", flat=True)))
    vocabulary.replace(words)
    backend.optimise()
    # A big import queued a rebuild (signal_handlers.on_bulk_import_finished) and the operator
    # ran `search reindex` before a worker took it: the 20 minutes of a 1M archive would
    # otherwise be spent again on what this run has just read.
    dropped = drop_waiting(REBUILD_MAKES_REDUNDANT, started)
    if dropped:
        log.info("dropped %d queued index job(s) this rebuild made redundant", dropped)
    return indexed
