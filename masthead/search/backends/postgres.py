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
- `facets` holds the article's filter terms (`facets.py`) as lexemes, written and queried in
  the tsvector/tsquery input syntax, never through a text-search parser. Its own
  GIN index lets the planner intersect a word's matches with a section's articles inside the
  indexes (a BitmapAnd) instead of looking each match up in the articles table: on 100k
  articles that look-up made a frequent word in one section take 0.8 s. The reader's words
  only ever meet `vector`, so typing a filter term finds nothing special.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connections, transaction
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import Left

from ..documents import Document, batched
from ..facets import FilterTerms
from ..models import PgDocument
from ..query import STOPWORDS, ParsedQuery
from ..snippets import END, START
from .base import Hit, SearchBackend, SearchResults

CONFIG = "english"
LEDE_CHARS = 700
SNIPPET_CHARS = 1500
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


class TermsMatch(Func):
    """`facets @@ '<tsquery>'::tsquery`: the terms are ours (letters and digits), quoted."""

    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()

    def __init__(self, tsquery: str):
        super().__init__(F("facets"), Func(Value(tsquery), template="%(expressions)s::tsquery"))


def tsvector_text(terms) -> str:
    """Filter terms in tsvector input syntax (quoted; the terms are letters and digits)."""
    return " ".join(f"'{t}'" for t in terms)


def _any(terms) -> str:
    return "(" + " | ".join(f"'{t}'" for t in terms) + ")"


def terms_filter(terms: FilterTerms) -> Q:
    """The filter terms as conditions on `facets`; "none of" is a plain filter on the rows
    found, since a negated tsquery alone would make GIN read the whole index."""
    positive = [f"'{t}'" for t in terms.required]
    if terms.any_of:
        positive.append(_any(terms.any_of))
    condition = Q(TermsMatch(" & ".join(positive))) if positive else Q()
    if terms.none_of:
        condition &= ~Q(TermsMatch(_any(terms.none_of)))
    return condition


def _weighted(body_expression):
    return (SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("standfirst", weight="B", config=CONFIG)
            + SearchVector(body_expression, weight="C", config=CONFIG))


# One page of a search in one statement. Ranking reads every match anyway, so the window
# `count(*) OVER ()` gives the total for free: a separate count built a second bitmap of every
# match (15 ms for a word in a quarter of 100k articles), and each statement is a round trip
# that costs milliseconds when the machine is busy. `OFFSET 0` keeps the matches a subquery of
# their own, so the window buffers (id, score, time) rather than every match's lede vector (it
# spilled to disk and tripled the time), and the costly ts_headline calls run only for the
# page's rows, after the LIMIT. ts_headline parses the whole text it is given (0.6 ms for an
# average body, the largest share of a page's time), so the snippet is first looked for in the
# body's first SNIPPET_CHARS (0.25 ms) and the whole body is read only if no match is there.
_PAGE = f"""
SELECT r.doc_id, r.score, r.total,
       ts_headline('{CONFIG}'::regconfig, d.title, q.q, %s),
       CASE WHEN strpos(early.snippet, %s) > 0 THEN early.snippet
            ELSE ts_headline('{CONFIG}'::regconfig, d.body, q.q, %s) END
FROM (SELECT m.doc_id, m.score, m.doc_time, count(*) OVER () AS total
      FROM ({{matches}} OFFSET 0) m
      ORDER BY m.score DESC, m.doc_time DESC NULLS LAST, m.doc_id DESC
      LIMIT %s OFFSET %s) r
JOIN search_document d ON d.article_id = r.doc_id
CROSS JOIN (SELECT websearch_to_tsquery('{CONFIG}'::regconfig, %s) AS q) q
CROSS JOIN LATERAL (SELECT ts_headline('{CONFIG}'::regconfig, left(d.body, {SNIPPET_CHARS}),
                                       q.q, %s) AS snippet) early
ORDER BY r.score DESC, r.doc_time DESC NULLS LAST, r.doc_id DESC
"""


def _options(connection, **options) -> str:
    """ts_headline options, quoted as Django's SearchHeadline quotes them."""
    options = {"StartSel": START, "StopSel": END, **options}
    return ", ".join(connection.ops.compose_sql(f"{name}=%s", [value])
                     for name, value in options.items())


class PostgresBackend(SearchBackend):
    name = "postgres"
    _scans_forced = False

    def _documents(self):
        return PgDocument.objects.using(self.using)

    def _matches(self, query: ParsedQuery, candidates, terms: FilterTerms | None = None):
        if terms is not None and terms.impossible:
            return self._documents().none()
        matches = self._documents().filter(vector=search_query(query))
        if terms is not None:
            matches = matches.filter(terms_filter(terms))
        if candidates is not None:
            matches = matches.filter(Exists(candidates.filter(pk=OuterRef("pk"))))
        return matches

    @contextmanager
    def _index_scans(self):
        """Keep the planner on the GIN index for the queries inside.

        For a word in a quarter of the articles PostgreSQL prefers a sequential scan, which
        checks `vector @@ query` on every row and so decompresses every out-of-line vector, a
        cost its estimates leave out: 1.65 s on 100k articles, against 85 ms for the whole
        search through the index. `SET LOCAL` keeps the change to this transaction; inside a
        caller's transaction the previous value is put back at the end (in a transaction of
        our own the commit does that, and a statement fewer matters: each one is a round trip
        to the server, which costs milliseconds when the machine is busy).
        """
        if self._scans_forced:  # already inside (search() counts through count())
            yield
            return
        connection = connections[self.using]
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=self.using):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('enable_seqscan'), "
                               "set_config('enable_seqscan', 'off', true)")
                previous = cursor.fetchone()[0]
            self._scans_forced = True
            try:
                yield
            finally:
                self._scans_forced = False
                if not outermost:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT set_config('enable_seqscan', %s, true)",
                                       [previous])

    def search(self, query, candidates, *, offset, limit, cap, terms=None):
        """Ranking, the total and the page's snippets in one statement (see `_PAGE`)."""
        if terms is not None and terms.impossible:
            return SearchResults(total=0)
        connection = connections[self.using]
        matches = (self._matches(query, candidates, terms)
                   .annotate(doc_id=F("pk"), doc_time=F("published_at"),
                             score=SearchRank(F("lede_vector"), rank_query(query)))
                   .order_by().values("doc_id", "score", "doc_time"))
        matches_sql, params = matches.query.sql_with_params()
        snippet = _options(connection, MaxWords=30, MinWords=12, MaxFragments=2,
                           FragmentDelimiter=" … ")
        # In the order of _PAGE's placeholders.
        params = [_options(connection, HighlightAll=True), START, snippet, *params, limit,
                  offset, query.text(), snippet]
        with self._index_scans(), connection.cursor() as cursor:
            cursor.execute(_PAGE.format(matches=matches_sql), params)
            rows = cursor.fetchall()
            if rows:
                total = min(rows[0][2], cap + 1)
            else:  # past the last match, or none: no row to read the total from
                total = self.count(query, candidates, cap, terms) if offset else 0
        return SearchResults(total=total, hits=[Hit(pk, score, title, body)
                                                for pk, score, _, title, body in rows])

    def count(self, query, candidates, cap, terms=None):
        with self._index_scans():
            return self._matches(query, candidates, terms)[: cap + 1].count()

    def _ranked(self, query, candidates, terms):
        return (self._matches(query, candidates, terms)
                .annotate(score=SearchRank(F("lede_vector"), rank_query(query)))
                .order_by("-score", F("published_at").desc(nulls_last=True), "-pk"))

    def rank(self, query, candidates, *, offset, limit, terms=None):
        with self._index_scans():
            ranked = self._ranked(query, candidates, terms).values_list("pk", "score")
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
                                body=d.body, published_at=d.published_at,
                                facets=tsvector_text(d.facets)) for d in batch],
                    update_conflicts=True, unique_fields=["article"],
                    update_fields=["title", "standfirst", "body", "published_at", "facets"],
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
