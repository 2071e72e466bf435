"""SQLite: an FTS5 virtual table (porter stemming), ranked by bm25(), with snippet()/highlight().

The table `search_fts(title, standfirst, body, facets)` uses the article id as its rowid
(migrations 0002, 0003). The reader's words are matched in the three text columns only
(`{title standfirst body} : (...)`), the reader's filters as terms of the `facets` column
(`facets.py`): FTS5 intersects the posting lists, so a filter makes a search cheaper rather
than dearer. `facets` has bm25 weight 0, so filter terms never change a score's numerator.
Arbitrary `candidates` (a queryset of articles) still join in as a correlated EXISTS: measured
on 100k articles, `rowid IN (SELECT id FROM articles ...)` makes SQLite probe the FTS index
once per article and takes a minute, while EXISTS costs one article lookup per match; that
look-up is three times the cost of bm25() itself (an article row holds its body before its
status), which is why the search page never uses it.
Snippets are computed in a second query for the page's ids only: SQLite evaluates the select
list for every match before sorting, and snippet() on thousands of rows doubled query time.
That query looks each id up on its own (`_HIGHLIGHT_ONE`), as a walk of the matches would
cost what the ranking did again.

Rebuilding (`search reindex`, issue 20) never rewrites the live table: deleting an FTS5 row
tokenizes its old text again, so a rebuild in place cost twice the indexing, and 'optimize'
held the database's single write lock for as long as it ran. A new table is filled beside it
(inserts only, short transactions; changes made meanwhile are written to both tables), merged
in steps, and renamed into place in one short transaction; readers in WAL mode keep searching
the old table until then and the new one after. It needs the index's size again on disk
while it runs.

Ranking is bounded (issue 20): bm25() costs FTS5 0.8-2.3 µs a match (it reads each match's
positions and its row in the docsize table; 20 ms of CPU for a word in 25,000 of 100k
articles, `bench/fts5_window.py`), so scoring every match grows with the archive: a frequent
word of a 1M archive has 250,000 matches.
No exact shortcut exists (bm25 lets a word repeated in the body approach a headline match, so
no cheap test rules body matches out, unlike ts_rank on PostgreSQL). So when a search has more
than `rank_window()` matches, only the most recently added `rank_window()` of them are scored
(the rowid is the article id, which grows as stories are added or imported in date order, so
these are the newest). FTS5 walks a posting list in rowid order for about 0.04 µs a match
without scoring, so finding the window's oldest id is one `ORDER BY rowid DESC ... OFFSET`
subquery, and bm25 then runs over that rowid range (with the idf of the whole index).
A page of the search page or API is one statement (`_PAGE`): the newest window's matches,
walked in descending rowid order (FTS5's own order, no sort), scored once, counted, and
ranked. A phrase costs what walking its words' common articles costs (FTS5 reads the
positions of each), so walking them once instead of two or three times (window bound, then
ranking, then count) cut the phrase p95 at 1M from 65-88 to 40-49 ms. The
window is never smaller than `offset + limit`, and the site never pages past MAX_RESULTS
(1,000), so every page it shows is full and pages never overlap. Scoring no longer grows
with the archive, only with the window; the total shown stays the true (capped) count. What a
reader loses: among more than `rank_window()` matches, an older story never outranks the
newest ones — the trade a news archive makes anyway (docs/search.md, "At a million articles").
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, transaction
from django.db.models import BooleanField, Exists, FloatField, Func, OuterRef, Value

from ..documents import Document, batched
from ..facets import FilterTerms
from ..models import Fts5Entry
from ..query import STOPWORDS, ParsedQuery
from ..snippets import END, START
from .base import RANK_WINDOW, Hit, SearchBackend, SearchResults, rank_window  # noqa: F401 (bench)

TABLE = "search_fts"
SHADOW = "search_fts_rebuild"  # `search reindex` builds here, then swaps it in
RETIRED = "search_fts_retired"
MERGE_PAGES = 2000  # leaf pages FTS5 merges per transaction (about 8 MB of index)
DROP_ROWS = 2000  # rows of the old table's shadow tables deleted per transaction
# bm25 weight per column (title, standfirst, body, facets): a headline match must beat a body
# match; filter terms add nothing.
WEIGHTS = (10.0, 4.0, 1.0, 0.0)
TEXT_COLUMNS = "{title standfirst body}"
SNIPPET_TOKENS = 32
BATCH = 500
class Match(Func):
    """`search_fts MATCH <expression>`: the table-named hidden column matches the whole row."""

    template = f'"{TABLE}" MATCH %(expressions)s'
    output_field = BooleanField()


class Bm25(Func):
    template = f'bm25("{TABLE}", {", ".join(str(w) for w in WEIGHTS)})'
    output_field = FloatField()

    def __init__(self):
        super().__init__()


# The statements of a search without `candidates` (every search the site makes), written out:
# built through the ORM each cost about 1 ms of CPU, as much as the engine's own work for most
# words (cProfile, 100k articles). Parameters only; the match expression is one of them.
# Ranking scores the window only (module docstring): the matches with rowid >= the n-th
# newest match's, found by a subquery that walks the posting list in index order without
# scoring; FTS5 receives the subquery's value as a rowid bound, so it is one statement.
_RANK = (f'SELECT rowid, bm25("{TABLE}", {", ".join(str(w) for w in WEIGHTS)}) AS score '
         f'FROM "{TABLE}" WHERE "{TABLE}" MATCH %s AND rowid >= coalesce('
         f'(SELECT rowid FROM "{TABLE}" WHERE "{TABLE}" MATCH %s ORDER BY rowid DESC '
         f'LIMIT 1 OFFSET %s), 0) ORDER BY score, rowid DESC LIMIT %s OFFSET %s')
_PAGE = (f'WITH newest AS MATERIALIZED (SELECT rowid AS id, bm25("{TABLE}", '
         f'{", ".join(str(w) for w in WEIGHTS)}) AS score FROM "{TABLE}" WHERE "{TABLE}" MATCH %s '
         f'ORDER BY rowid DESC LIMIT %s) '
         f'SELECT id, score, (SELECT count(*) FROM newest) FROM newest '
         f'ORDER BY score, id DESC LIMIT %s OFFSET %s')
_COUNT = f'SELECT count(*) FROM (SELECT 1 FROM "{TABLE}" WHERE "{TABLE}" MATCH %s LIMIT %s)'
# Headline and snippet of one page's article, one arm of a UNION ALL per id: FTS5 seeks a
# `rowid = ?` match straight to that row, while `rowid IN (...)` with several ids walked every
# match again (a frequent word's 25,000 at 100k: 3.0 ms against 0.7 for the ten arms).
_HIGHLIGHT_ONE = (f'SELECT rowid, highlight("{TABLE}", 0, %s, %s), '
                  f'snippet("{TABLE}", 2, %s, %s, %s, {SNIPPET_TOKENS}) '
                  f'FROM "{TABLE}" WHERE "{TABLE}" MATCH %s AND rowid = %s')
HIGHLIGHT_ARMS = 100  # well inside SQLite's 500 terms of a compound SELECT


def _phrase(words: Iterable[str]) -> str:
    # Parsed words hold only letters and digits, so no quote needs escaping; quoting each one
    # keeps FTS5 operators (AND, OR, NOT, NEAR, *, ^, :) from ever being read as syntax.
    return '"' + " ".join(words) + '"'


def _anchored(words: list[str]) -> str:
    """A phrase, led by a NEAR group of its runs of words other than stopwords when it has a
    stopword between two of them: `"giondhum the triorcrea"` becomes
    `NEAR("giondhum" "triorcrea", 4) "giondhum the triorcrea"`. FTS5 checks a phrase by
    seeking each of its words to every article holding all of them; a stopword's posting list
    holds almost every article and seeking in it cost ~24 µs an article (100k: 2.8 ms for a
    phrase with one match), while the NEAR group's rare words leave a candidate or two to seek
    to (0.45 ms). Where the other words are common it gains little: FTS5's AND advances each
    side on its own, so the phrase is still checked wherever those words meet (1M: 38 -> 41 ms
    for two words in 10 and 22 % of the archive). Over the 1M benchmark's 200 phrases the
    walk's p95 fell from 16.6 to 9.4 ms (p99 unchanged). The phrase decides, so the matches are the
    phrase's; the distance allows each word between to be two tokens to FTS5, so the group
    never rules a match out."""
    runs: list[tuple[int, int]] = []  # [start, stop) of each run of other words
    for i, word in enumerate(words):
        if word in STOPWORDS:
            continue
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    if len(runs) < 2:  # no stopword between two other words
        return _phrase(words)
    between = runs[-1][0] - runs[0][1]
    group = " ".join(_phrase(words[start:stop]) for start, stop in runs)
    return f"NEAR({group}, {2 * between + 2}) {_phrase(words)}"


def expression(query: ParsedQuery) -> str:
    """The FTS5 query: every term and phrase (implicit AND), then NOT each exclusion."""
    positive = " ".join([_phrase([t]) for t in query.terms] + [_anchored(p) for p in query.phrases])
    expr = f"({positive})"
    for words in query.excluded:
        expr += f" NOT {_phrase(words)}"
    return expr


def match_expression(query: ParsedQuery, terms: FilterTerms | None = None) -> str:
    """The reader's expression on the text columns, then the filter terms on `facets`."""
    expr = f"{TEXT_COLUMNS} : ({expression(query)})"
    if terms is None:
        return expr
    if terms.required:
        expr += f" AND facets : ({' '.join(_phrase([t]) for t in terms.required)})"
    if terms.any_of:
        expr += f" AND facets : ({' OR '.join(_phrase([t]) for t in terms.any_of)})"
    if terms.none_of:
        expr += f" NOT facets : ({' OR '.join(_phrase([t]) for t in terms.none_of)})"
    return expr


def drop_in_steps(connection, table: str) -> None:
    """Drop an FTS5 table without holding the write lock for long: a DROP frees every page
    of the index in one transaction (13.4 s for a 100k index at load 14, so minutes at 1M),
    so the rows of its big shadow tables (`_data`, the index's pages; `_content`, the text;
    `_docsize`) are deleted DROP_ROWS at a time first, each its own short transaction (100k:
    126 steps of at most 0.19 s, 4.6 s in all, then a DROP of 2 ms). Rows 1 and 10 of
    `_data` stay: they hold the averages and the structure record that FTS5 reads to open
    the table, which the DROP does."""
    for part in ("data", "content", "docsize"):
        while True:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(f'DELETE FROM "{table}_{part}" WHERE rowid IN (SELECT rowid '
                               f'FROM "{table}_{part}" WHERE rowid > 10 LIMIT %s)', [DROP_ROWS])
                if cursor.rowcount < DROP_ROWS:
                    break
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{table}"')


class SQLiteFTS5Backend(SearchBackend):
    name = "sqlite_fts5"

    def _entries(self):
        return Fts5Entry.objects.using(self.using)

    def _matches(self, query: ParsedQuery, candidates, terms: FilterTerms | None = None):
        if terms is not None and terms.impossible:
            return self._entries().none()
        matches = self._entries().filter(Match(Value(match_expression(query, terms))))
        if candidates is not None:
            matches = matches.filter(Exists(candidates.filter(pk=OuterRef("pk"))))
        return matches

    def _rows(self, sql: str, params) -> list[tuple]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def search(self, query, candidates, *, offset, limit, cap, terms=None):
        if candidates is not None or (terms is not None and terms.impossible):
            return super().search(query, candidates, offset=offset, limit=limit, cap=cap,
                                  terms=terms)
        window = max(rank_window(), offset + limit)
        rows = self._rows(_PAGE, [match_expression(query, terms), window, limit, offset])
        walked = rows[0][2] if rows else None
        if walked is not None and (walked < window or window > cap):
            total = min(walked, cap + 1)  # every match was walked, or more than the cap were
        elif not rows and offset == 0:
            total = 0
        else:  # past the last match, or a window narrower than the cap (a setting)
            total = self.count(query, None, cap, terms)
        # bm25() is negative, lower is better: see rank().
        ranked = [(pk, -score) for pk, score, _ in rows]
        return SearchResults(total=total, hits=self.highlight(query, ranked) if ranked else [])

    def count(self, query, candidates, cap, terms=None):
        if candidates is not None or (terms is not None and terms.impossible):
            return self._matches(query, candidates, terms)[: cap + 1].count()
        return self._rows(_COUNT, [match_expression(query, terms), cap + 1])[0][0]

    def rank(self, query, candidates, *, offset, limit, terms=None):
        if candidates is not None or (terms is not None and terms.impossible):
            ranked = list(self._matches(query, candidates, terms).annotate(score=Bm25())
                          .order_by("score", "-pk").values_list("pk", "score")
                          [offset: offset + limit])
        else:
            expr = match_expression(query, terms)
            window = max(rank_window(), offset + limit)
            ranked = self._rows(_RANK, [expr, expr, window - 1, limit, offset])
        # bm25() is negative, lower is better; readers and the API get "higher is better".
        # Equal scores (rare with bm25) go to the most recently added article: ordering by
        # publication time would read every match's stored row, body included.
        return [(pk, -score) for pk, score in ranked]

    def highlight(self, query, ranked):
        expr = match_expression(query)
        found = {}
        for batch in batched([int(pk) for pk, _ in ranked], HIGHLIGHT_ARMS):
            params = []
            for pk in batch:
                params += [START, END, START, END, " … ", expr, pk]
            for pk, title, body in self._rows(" UNION ALL ".join([_HIGHLIGHT_ONE] * len(batch)),
                                              params):
                found[pk] = (title, body)
        return [Hit(pk, score, *found.get(pk, ("", ""))) for pk, score in ranked]

    def _tables(self, cursor) -> list[str]:
        """The live table, and the rebuild's table while `search reindex` fills it: every
        change is written to both, so the rebuilt index misses nothing made meanwhile."""
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [SHADOW])
        return [TABLE, SHADOW] if cursor.fetchone() else [TABLE]

    def _write(self, cursor, table: str, batch: list[Document], *, replace: bool) -> None:
        if replace:  # an entry changes by delete + insert (FTS5 re-reads the old text)
            ids = [d.article_id for d in batch]
            cursor.execute(f'DELETE FROM "{table}" WHERE rowid IN '
                           f'({", ".join(["%s"] * len(ids))})', ids)
        cursor.executemany(
            f'INSERT INTO "{table}"(rowid, title, standfirst, body, facets) '
            f'VALUES (%s, %s, %s, %s, %s)',
            [(d.article_id, d.title, d.standfirst, d.body, " ".join(d.facets)) for d in batch])

    def index(self, documents: Iterable[Document]) -> int:
        written = 0
        for batch in batched(documents, BATCH):
            with transaction.atomic(using=self.using), connections[self.using].cursor() as c:
                for table in self._tables(c):
                    self._write(c, table, batch, replace=True)
            written += len(batch)
        return written

    def remove(self, article_ids):
        for batch in batched(article_ids, BATCH):
            with transaction.atomic(using=self.using), connections[self.using].cursor() as c:
                for table in self._tables(c):
                    c.execute(f'DELETE FROM "{table}" WHERE rowid IN '
                              f'({", ".join(["%s"] * len(batch))})', list(batch))

    def rebuild(self, documents: Iterable[Document]) -> int:
        """Build a new table beside the live one, merge it, and swap it in (module docstring,
        "Rebuilding"): readers search the old table until the swap, one short transaction."""
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [TABLE])
            create = cursor.fetchone()[0]
            cursor.execute(f'DROP TABLE IF EXISTS "{SHADOW}"')  # left by an interrupted run
            cursor.execute(create.replace(TABLE, SHADOW, 1))
        written = 0
        for batch in batched(documents, BATCH):
            with transaction.atomic(using=self.using), connection.cursor() as cursor:
                # An entry already there was written by a change made during the rebuild,
                # after this batch's articles were read: it is the newer one, keep it.
                cursor.execute(f'SELECT rowid FROM "{SHADOW}" WHERE rowid IN '
                               f'({", ".join(["%s"] * len(batch))})',
                               [d.article_id for d in batch])
                present = {row[0] for row in cursor.fetchall()}
                fresh = [d for d in batch if d.article_id not in present]
                if fresh:
                    self._write(cursor, SHADOW, fresh, replace=False)
            written += len(batch)
        self._merge(SHADOW)
        with transaction.atomic(using=self.using), connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{RETIRED}"')
            cursor.execute(f'ALTER TABLE "{SHADOW}" RENAME TO "{TABLE}"')
        drop_in_steps(connection, RETIRED)
        return written

    def _merge(self, table: str) -> None:
        """FTS5's incremental 'merge', MERGE_PAGES leaf pages a transaction, until a step
        changes nothing: what 'optimize' does, without holding the database's write lock
        (and so every publication) for the whole of it."""
        connection = connections[self.using]
        pages = -MERGE_PAGES  # negative: merge segments of different levels too (the first)
        while True:
            with transaction.atomic(using=self.using), connection.cursor() as cursor:
                before = connection.connection.total_changes
                cursor.execute(f'INSERT INTO "{table}"("{table}", rank) VALUES (%s, %s)',
                               ["merge", pages])
                if connection.connection.total_changes - before < 2:
                    return
            pages = MERGE_PAGES

    def indexed_ids(self):
        return set(self._entries().values_list("pk", flat=True))

    def optimise(self):
        # Merges the b-tree segments left by incremental writes (see _merge).
        self._merge(TABLE)
