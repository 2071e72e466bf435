"""PostgreSQL: asking the phrase-pairs index which articles can hold a phrase (migrations
0004 and 0006; the SQL functions `search_phrase_pairs` and `search_phrase_pairs_query` live
in the database). `postgres.py` puts these look-ups into its statements."""

from __future__ import annotations

from django.db.models import BooleanField, F, Func, Value

from ..query import STOPWORDS
from .postgres_vectors import CONFIG

PAIRS_PARTS = 2  # the pairs index is two, even and odd ids (migration 0006)


def pairs_ids(phrase_sql: str) -> str:
    """The ids of the entries holding all a phrase's pairs (`search_phrase_pairs`, 0006):
    both sides come from the same SQL function, so every article holding the phrase is in.
    One branch per part of the index, each with that part's condition, so the planner uses
    it; the phrase's pairs are computed once (`q`). Always sent with parameters: `%%` is `%`."""
    parts = " UNION ALL ".join(
        f"SELECT p.article_id FROM search_document p, q WHERE p.article_id %% {PAIRS_PARTS} = "
        f"{part} AND search_phrase_pairs(p.vector) @@ q.pairs" for part in range(PAIRS_PARTS))
    return (f"ARRAY(WITH q AS MATERIALIZED (SELECT search_phrase_pairs_query("
            f"to_tsvector('{CONFIG}'::regconfig, {phrase_sql})) AS pairs) {parts})")


class PairsMatch(Func):
    """`pk = ANY(<the ids holding the phrase's pairs>)`, or of the ids in the CTE `cte` when
    the statement computes them once for its several uses of the matches (`search()`: the
    planner folds `search_phrase_pairs_query(...)` into a constant at each use, 1-2 ms each).

    The look-up is an array computed once (an initplan), not a condition on the matches'
    rows: a phrase condition makes PostgreSQL recheck every index condition of a row it
    fetches, and rechecking `search_phrase_pairs(vector) @@ ...` recomputes the pairs of the
    whole vector, about 2 ms a row (a 20-match phrase took 64 ms that way).
    """

    output_field = BooleanField()

    def __init__(self, phrase: tuple[str, ...], cte: str | None = None):
        super().__init__(F("pk"), Value(" ".join(phrase)))
        self.cte = cte

    def as_sql(self, compiler, connection, **extra_context):
        pk, phrase = (compiler.compile(e) for e in self.source_expressions)
        if self.cte:
            return f"{pk[0]} = ANY((SELECT ids FROM {self.cte})::bigint[])", pk[1]
        return f"{pk[0]} = ANY({pairs_ids(phrase[0])})", [*pk[1], *phrase[1]]


def has_pairs(phrase: tuple[str, ...]) -> bool:
    """Whether two consecutive words of the phrase that are not stop words lie one or two
    words apart (PostgreSQL's english configuration drops the same stop words, query.py),
    i.e. whether the phrase has pairs to look up; a phrase without any (`"the budget"`)
    gains nothing."""
    kept = [n for n, word in enumerate(phrase) if word not in STOPWORDS]
    return any(b - a <= 2 for a, b in zip(kept, kept[1:]))
