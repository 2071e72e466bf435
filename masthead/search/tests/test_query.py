"""The query language readers type: words, "phrases", -exclusions, and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masthead.search.backends.sqlite_fts5 import expression
from masthead.search.query import MAX_QUERY_LENGTH, ParsedQuery, QueryError, parse


def test_words_phrases_and_exclusions_are_told_apart():
    q = parse('budget "interim deal" -strike -"port authority"')
    assert q.terms == ("budget",)
    assert q.phrases == (("interim", "deal"),)
    assert q.excluded == (("strike",), ("port", "authority"))


def test_function_words_are_dropped_outside_quotes_and_kept_inside():
    q = parse('the budget of "state of emergency"')
    assert q.terms == ("budget",)
    assert q.phrases == (("state", "of", "emergency"),)


def test_joined_words_are_searched_as_a_phrase_of_their_parts():
    assert parse("covid-19").phrases == (("covid", "19"),)
    assert parse("O'Brien").phrases == (("o", "brien"),)


def test_an_unclosed_quote_runs_to_the_end():
    assert parse('"interim deal').phrases == (("interim", "deal"),)


def test_engine_operators_are_plain_words_or_nothing():
    q = parse("budget AND NEAR(vote) title:strike ^x* OR")
    assert q.terms == ("budget", "x")
    assert q.phrases == (("near", "vote"), ("title", "strike"))
    assert expression(q) == '("budget" "x" "near vote" "title strike")'


@pytest.mark.parametrize("raw,code", [
    ("", "empty"), ("   ", "empty"), (None, "empty"),
    ("x" * (MAX_QUERY_LENGTH + 1), "too_long"),
    ("-", "no_terms"), ('"" * - + :', "no_terms"), ("-budget", "no_terms"),
    ("the of and", "no_terms"), ("AND OR NOT", "no_terms"),
])
def test_unsearchable_queries_are_refused_with_a_reason(raw, code):
    with pytest.raises(QueryError) as caught:
        parse(raw)
    assert caught.value.code == code
    assert str(caught.value)  # a sentence for the reader


def test_text_writes_the_query_back_in_the_readers_syntax():
    q = parse('Budget  "Interim deal" -strike -"port authority"')
    assert q.text() == 'budget "interim deal" -strike -"port authority"'
    assert parse(q.text()) == q


def test_single_word_is_only_set_for_one_word_queries():
    assert parse("electon").single_word == "electon"
    assert parse("electon vote").single_word is None
    assert parse('"electon vote"').single_word is None
    assert ParsedQuery(("a",)).replacing("a", "b").terms == ("b",)


def test_the_fts5_expression_quotes_every_word_and_negates_exclusions():
    assert expression(parse('budget "interim deal" -strike')) == \
        '("budget" "interim deal") NOT "strike"'


@given(st.text(max_size=MAX_QUERY_LENGTH + 20))
def test_any_text_parses_or_is_refused_with_a_query_error(raw):
    try:
        q = parse(raw)
    except QueryError:
        return
    assert q.terms or q.phrases
    for words in [*((t,) for t in q.terms), *q.phrases, *q.excluded]:
        assert all(w and w.isalnum() for w in words)
