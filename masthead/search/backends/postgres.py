"""PostgreSQL: `tsvector` columns with a GIN index, websearch queries, ts_rank, ts_headline.

`search_document` (migration 0002) holds each visible article's text, its publication time
(equal scores are shown newest first without reading the articles table) and two vectors
built with `SearchVector` weights: A headline, B standfirst, C body.

- `vector` covers the whole text and is GIN-indexed: it decides what matches (words, phrases,
  exclusions through `websearch_to_tsquery`).
- `lede_vector` covers the headline, standfirst and the first LEDE_CHARS of the body, and is
  what `SearchRank` scores, for any of the query's words (`rank_query`). Ranking reads the
  vector of every match; full-body vectors average 4 kB and live compressed out of line
  (TOAST), so on 100k articles ranking 1,800 matches took 50 ms, against 8 ms for the ~1 kB
  lede vector, which stays in the table row. News is written lede-first (the inverted
  pyramid), so the lede is where relevance is decided; matches only deeper in the body still
  appear, after those that match early, newest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connections, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Left

from ..documents import Document, batched
from ..models import PgDocument
from ..query import STOPWORDS, ParsedQuery
from ..snippets import END, START
from .base import Hit, SearchBackend

CONFIG = "english"
LEDE_CHARS = 700
BATCH = 1000


def search_query(query: ParsedQuery) -> SearchQuery:
    # `text()` writes words, "phrases" and -exclusions back in websearch syntax; the words are
    # letters and digits only, and "or" is a stop word the parser has dropped, so the reader
    # cannot reach any other tsquery operator.
    return SearchQuery(query.text(), search_type="websearch", config=CONFIG)


def rank_query(query: ParsedQuery) -> SearchQuery:
    """Every searched word OR-ed: an AND tsquery ranks a lede that lacks one word near zero,
    even when the others are in its headline; matching still requires every word."""
    words = dict.fromkeys(
        w for w in [*query.terms, *(w for p in query.phrases for w in p)] if w not in STOPWORDS)
    parts = [SearchQuery(w, config=CONFIG) for w in words]
    if not parts:
        return search_query(query)
    combined = parts[0]
    for part in parts[1:]:
        combined = combined | part
    return combined


def _weighted(body_expression):
    return (SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("standfirst", weight="B", config=CONFIG)
            + SearchVector(body_expression, weight="C", config=CONFIG))


class PostgresBackend(SearchBackend):
    name = "postgres"
    _scans_forced = False

    def _documents(self):
        return PgDocument.objects.using(self.using)

    def _matches(self, query: ParsedQuery, candidates):
        matches = self._documents().filter(vector=search_query(query))
        if candidates is not None:
            matches = matches.filter(Exists(candidates.filter(pk=OuterRef("pk"))))
        return matches

    @contextmanager
    def _index_scans(self):
        """Keep the planner on the GIN index for the queries inside.

        For a word in a quarter of the articles PostgreSQL prefers a sequential scan, which
        checks `vector @@ query` on every row and so decompresses every out-of-line vector, a
        cost its estimates leave out: 1.65 s on 100k articles, against 85 ms for the whole
        search through the index. `SET LOCAL` keeps the change to this transaction; the
        previous value is put back at the end in case the transaction is an outer one.
        """
        if self._scans_forced:  # already inside (search() counts through count())
            yield
            return
        with transaction.atomic(using=self.using):
            with connections[self.using].cursor() as cursor:
                cursor.execute("SELECT current_setting('enable_seqscan'), "
                               "set_config('enable_seqscan', 'off', true)")
                previous = cursor.fetchone()[0]
            self._scans_forced = True
            try:
                yield
            finally:
                self._scans_forced = False
                with connections[self.using].cursor() as cursor:
                    cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])

    def search(self, query, candidates, *, offset, limit, cap):
        with self._index_scans():
            return super().search(query, candidates, offset=offset, limit=limit, cap=cap)

    def count(self, query, candidates, cap):
        with self._index_scans():
            return self._matches(query, candidates)[: cap + 1].count()

    def rank(self, query, candidates, *, offset, limit):
        ranked = (self._matches(query, candidates)
                  .annotate(score=SearchRank(F("lede_vector"), rank_query(query)))
                  .order_by("-score", F("published_at").desc(nulls_last=True), "-pk")
                  .values_list("pk", "score"))
        return list(ranked[offset: offset + limit])

    def highlight(self, query, ranked):
        q = search_query(query)
        rows = self._documents().filter(pk__in=[pk for pk, _ in ranked]).annotate(
            marked_title=SearchHeadline("title", q, config=CONFIG, start_sel=START,
                                        stop_sel=END, highlight_all=True),
            marked_body=SearchHeadline("body", q, config=CONFIG, start_sel=START,
                                       stop_sel=END, max_words=30, min_words=12,
                                       max_fragments=2, fragment_delimiter=" … "),
        ).values_list("pk", "marked_title", "marked_body")
        found = {pk: (title, body) for pk, title, body in rows}
        return [Hit(pk, score, *found.get(pk, ("", ""))) for pk, score in ranked]

    def index(self, documents: Iterable[Document]) -> int:
        written = 0
        for batch in batched(documents, BATCH):
            with transaction.atomic(using=self.using):
                self._documents().bulk_create(
                    [PgDocument(article_id=d.article_id, title=d.title, standfirst=d.standfirst,
                                body=d.body, published_at=d.published_at) for d in batch],
                    update_conflicts=True, unique_fields=["article"],
                    update_fields=["title", "standfirst", "body", "published_at"],
                )
                self._documents().filter(pk__in=[d.article_id for d in batch]).update(
                    vector=_weighted("body"), lede_vector=_weighted(Left("body", LEDE_CHARS)),
                )
            written += len(batch)
        return written

    def remove(self, article_ids):
        for batch in batched(article_ids, BATCH):
            self._documents().filter(pk__in=batch).delete()

    def indexed_ids(self):
        return set(self._documents().values_list("pk", flat=True))
