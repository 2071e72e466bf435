"""A phrase with a stopword between other words is led by a NEAR group of those words
(`sqlite_fts5._anchored`, issue 20: a stopword's posting list is the whole archive): the
group only narrows where FTS5 looks, so the matches must be exactly the plain phrase's.
Checked on an FTS5 table of its own, with the search table's tokenizer, over texts built
from stopwords, plain, inflected, accented and hyphenated words."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.search.backends.sqlite_fts5 import _anchored, _phrase
from masthead.search.query import STOPWORDS, QueryError, parse

VOCABULARY = ["the", "of", "a", "in", "to", "has", "minister", "ministers", "prime",
              "united", "kingdom", "Kingdom's", "café", "cafe", "co-operation", "running",
              "runs", "ran", "x", "9", "11th"]
TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"


def _matches(db, expression: str) -> set[int]:
    return {row[0] for row in db.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression])}


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=30),
                      min_size=1, max_size=12),
       picked=st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=6),
       take_from_text=st.booleans(), at=st.integers(0, 40))
def test_an_anchored_phrase_matches_exactly_what_the_phrase_matches(texts, picked,
                                                                    take_from_text, at):
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(title, body, {TOKENIZE})")
    db.executemany("INSERT INTO t(rowid, title, body) VALUES (?, '', ?)",
                   [(n, " ".join(words)) for n, words in enumerate(texts, start=1)])
    if take_from_text:  # a stretch of a text, so that the phrase is often there
        source = texts[at % len(texts)]
        start = at % len(source)
        picked = source[start:start + len(picked)] or picked
    try:
        query = parse('"' + " ".join(picked) + '"')
    except QueryError:  # stopwords alone: not searched
        return
    for words in query.phrases:
        assert _matches(db, _anchored(words)) == _matches(db, _phrase(words))


def test_only_a_stopword_between_two_other_words_adds_a_group():
    assert _anchored(["prime", "minister"]) == '"prime minister"'
    assert _anchored(["the", "minister"]) == '"the minister"'
    assert _anchored(["of", "the"]) == '"of the"'
    assert _anchored(["prime", "minister", "of", "the", "united", "kingdom"]) == (
        'NEAR("prime minister" "united kingdom", 6) "prime minister of the united kingdom"')
    assert {"the", "of"} <= STOPWORDS
