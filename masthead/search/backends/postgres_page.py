"""PostgreSQL: one page of a search in one statement, ranking only the matches that can win.

`ts_rank` has to read the lede vector of every match it scores, and a word in a tenth of 100k
articles has 10,000 of them, spread over most of the table's pages: 130 ms when those pages
are not in PostgreSQL's buffer cache (this server's 128 MB cache is smaller than the table and
shared with other databases). The statement below scores only the matches that have one of
the query's words in their headline or standfirst (the GIN-indexed `head_vector`), and
proves from their scores that no other match could have made the page; only when the proof
fails does it rank every match, as before. The result is the same page either way.

Why the proof holds. The rank query is an OR of the query's words, so `ts_rank` (normalisation
0) is `calc_rank_or` of PostgreSQL's tsrank.c: the mean, over the query's lexemes, of
`(wjm + resj - wjm / (jm + 1)^2) / 1.64493406685`, where `resj` sums `w(pos_j) / (j + 1)^2`
over the lexeme's positions in position order and `wjm` is the largest weight (first such
position `jm`). The lede vector is headline (weight A, 1.0) || standfirst (B, 0.4) || body
opening (C, 0.2), and `||` shifts each part's positions past the previous part's, so a
lexeme's weights never increase along its positions: `jm` is 0 and the lexeme's score is
`resj / 1.645`, below its first weight (the sum of 1/(j+1)^2 over at most 256 positions is
1.641 < 1.645). A match with none of the words in its headline or standfirst therefore
scores below 0.2 (at most 0.1995, far from float rounding). So if the head matches hold at
least `offset + limit` entries scoring 0.2 or more, those are the page and the matches not
scored cannot reach it; otherwise (a rare word, or a multi-word query whose head matches
score low) everything is ranked. `calc_rank_and` is used instead when the rank query's top
operator is AND or a phrase, which a single word the parser splits in two could make: the
statement checks the rank query's text for those operators and ranks everything then.

The total comes from a count capped at `cap + 1` in the fast case (a separate bitmap scan
that stops at the cap) unless the head matches alone exceed the cap, from a window
`count(*) OVER ()` when every match is ranked anyway.
"""

from __future__ import annotations

# The weight of an article's body (C in ts_rank's default {0.1, 0.2, 0.4, 1.0}): every match
# whose headline and standfirst lack all the query's words scores below it (see above).
BODY_WEIGHT = 0.2
ORDER = "score DESC, doc_time DESC NULLS LAST, doc_id DESC"

# Placeholders, in order: each phrase's pairs (`phrase_<n>`, computed once for the three
# match lists that use them; postgres_pairs.PairsMatch), the fast path's head matches, LIMIT k
# (= offset + limit), k again, BODY_WEIGHT, the rank query twice (for its operators), every
# match ranked (LIMIT k), cap, cap + 1, the count's matches, cap + 1, OFFSET.
# `OFFSET 0` keeps each match list a subquery of its own, so sorting buffers (id, score,
# time) rather than every lede vector. The fallback branch sits under a one-time filter, so
# PostgreSQL never runs it when the fast path succeeded; likewise the capped count is an
# initplan only evaluated when the fast path gave no window total and the head matches, all
# of them matches, are not already more than the cap (then the total is cap + 1 without
# building the bitmap of every match: a word in a twentieth of the articles has more than
# 1,000 head matches at a million).
RANKED = f"""
WITH {{phrase_ctes}}fast AS MATERIALIZED (
    SELECT m.doc_id, m.score, m.doc_time, count(*) OVER () AS head_total
    FROM ({{head_matches}} OFFSET 0) m
    ORDER BY {ORDER} LIMIT %s),
verdict AS MATERIALIZED (
    SELECT count(*) = %s AND coalesce(min(score), 0) >= %s
           AND strpos(({{rank_query}})::text, '&') = 0
           AND strpos(({{rank_query}})::text, '<') = 0 AS fast_is_exact
    FROM fast),
ranked AS (
    SELECT doc_id, score, doc_time, NULL::bigint AS total FROM fast
    WHERE (SELECT fast_is_exact FROM verdict)
    UNION ALL
    SELECT * FROM (SELECT m.doc_id, m.score, m.doc_time, count(*) OVER () AS total
                   FROM ({{matches}} OFFSET 0) m ORDER BY {ORDER} LIMIT %s) every_match
    WHERE NOT (SELECT fast_is_exact FROM verdict))
SELECT doc_id, score, doc_time,
       coalesce(total, CASE WHEN (SELECT max(head_total) FROM fast) > %s THEN %s
                            ELSE (SELECT count(*) FROM ({{count_matches}} LIMIT %s) c) END)
       AS total
FROM ranked ORDER BY {ORDER} OFFSET %s
"""
