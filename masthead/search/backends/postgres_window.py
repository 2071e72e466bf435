"""PostgreSQL: a search with many matches ranks the newest of them only (issue 20).

`postgres_page.py` ranks the head matches only and proves nothing else can make the page, but
both the head matches and the capped count still grow with the archive: on 100k articles a
word in 27% of them has 1,450 head matches to fetch and score (2 ms) and a 27,000-entry
bitmap to build before the count's first row (3.7 ms; a GIN index returns a whole bitmap,
so `LIMIT 1001` does not bound it), and ten times that at a million. So PostgreSQL keeps the
rule SQLite has (sqlite_fts5.py): when a search has more than `rank_window()` matches (4,000)
only the newest of them are ranked; the total shown is still the count of every match,
capped at MAX_RESULTS.

How the newest matches are found. A GIN index cannot give matches in id order, and counting
them in id order would read every match. Instead the planner's own statistics estimate how
many entries the search matches (`search_match_estimate`, migration 0005, is its `EXPLAIN`:
for a word, the frequency ANALYZE recorded for its lexeme; filters multiply in), the id
range that holds `rank_window()` of them at that density is taken back from the newest
article id, and the page statement gets `article_id >= floor`. The estimate and the id
range come back with the transaction's planner settings (`SETTINGS`), so a search makes
as many round trips as before. The word index is on `(vector, article_id)` (migration 0005), so the
matches in that range cost what the range costs; the head matches are intersected with the
same range. Within the window the head-match proof holds as before, so the page is exactly
the best of the window's matches, newest first among equal scores.

What a reader sees: for a word in more than about `2 * rank_window()` articles (by the
statistics), a story older than roughly the newest `rank_window()` matches never outranks
them, the trade SQLite makes (docs/search.md, "At a million articles"). The window's size is
an estimate, not exactly `rank_window()`: a word's matches are not spread evenly in time.
Where the estimate puts fewer than `offset + limit` matches in the range, the search runs
again without a window, so a page is never short; searches estimated at `2 *
rank_window()` matches or fewer (most words, phrases, filtered searches of rarer words) are
ranked exactly as before, and so are words in fewer than 4% of the articles
(`MAX_SPAN_WINDOWS`). The total is counted in the window (capped); only when the window
holds no more than the cap is every match counted.
"""

from __future__ import annotations

import math

from .base import rank_window

# A search estimated at more than this many windows' worth of matches gets a window: near
# the limit, a window would rank almost every match anyway and an estimate that is too
# high could only make it rank fewer than `rank_window()`.
WINDOWS_BEFORE_BOUNDING = 2
# The widest id range a window takes, in windows (100,000 ids at the default: a word in at
# least 4% of the articles). btree_gin gathers a range's ids entry by entry, about 0.15 µs
# each, so a wider range would cost more than ranking every match of a rarer word, whose
# count its head matches settle anyway (postgres_page.py).
MAX_SPAN_WINDOWS = 25

# What PostgresBackend._index_scans runs first in a search's transaction, in one statement:
# the settings to restore, sequential scans off, and plain index scans off too when the
# search will be windowed (the planner would otherwise walk the primary key through the id
# range and check `vector @@ query` on each row, decompressing its out-of-line vector: 54 ms
# for 4,000 ids of 100k articles, against 0.9 ms asking the word index for both conditions,
# which GIN answers as a bitmap only); then the estimate and the index's id range.
# Placeholders: the estimate above which a window applies, the statement estimated.
SETTINGS = """
SELECT s.seqscan, s.indexscan,
       set_config('enable_seqscan', 'off', true),
       set_config('enable_indexscan',
                  CASE WHEN e.n > %s THEN 'off' ELSE s.indexscan END, true),
       e.n, r.low, r.high
FROM (SELECT current_setting('enable_seqscan') AS seqscan,
             current_setting('enable_indexscan') AS indexscan) s
CROSS JOIN (SELECT search_match_estimate(%s) AS n) e
CROSS JOIN (SELECT min(article_id) AS low, max(article_id) AS high FROM search_document) r
"""


def size(needed: int) -> int:
    """The matches a window holds: `rank_window()`, or `offset + limit` if more."""
    return max(rank_window(), needed)


def threshold(needed: int) -> int:
    """The estimated matches above which a search is windowed."""
    return WINDOWS_BEFORE_BOUNDING * size(needed)


def floor(estimate: float, low: int | None, high: int | None, needed: int) -> int | None:
    """The lowest article id to rank from, or None to rank every match (`SETTINGS` gave the
    estimate and the id range; `needed` is `offset + limit`)."""
    if low is None or estimate <= threshold(needed):
        return None
    per_id = estimate / (high - low + 1)  # ids are dense: one per article ever added
    span = math.ceil(size(needed) / per_id)
    return high - span + 1 if span <= MAX_SPAN_WINDOWS * size(needed) else None
