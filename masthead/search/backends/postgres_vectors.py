"""The vectors of a PostgreSQL search entry, as Django expressions: the weighted text vector
(headline A, standfirst B, body C), the lede's (the body cut at LEDE_CHARS) and the head's
lexemes. Both the live writes (`postgres.py`) and the rebuild (`postgres_rebuild.py`) build
entries from these, so the two can never disagree."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db.models import Func

CONFIG = "english"
LEDE_CHARS = 700


def weighted(body_expression):
    return (SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("standfirst", weight="B", config=CONFIG)
            + SearchVector(body_expression, weight="C", config=CONFIG))


class Strip(Func):
    function = "strip"


def head():
    """The lexemes of the lede vector's A and B parts, built the same way (without weights,
    which matching ignores, and positions, which nothing here reads)."""
    return Strip(SearchVector("title", config=CONFIG) + SearchVector("standfirst", config=CONFIG))
