""""Did you mean": edit distance and the choice of the closest known word."""

from __future__ import annotations

import pytest

from masthead.search.models import Word
from masthead.search.vocabulary import candidates, distance, suggest


@pytest.mark.parametrize("a,b,expected", [
    ("election", "election", 0),
    ("electon", "election", 1),    # a letter missing
    ("elcetion", "election", 1),   # two letters swapped count once
    ("lection", "election", 1),    # the first letter missing
    ("xyzction", "election", 3),   # beyond the limit of 2: reported as limit + 1
    ("budget", "budgetary", 3),
])
def test_distance_counts_edits_up_to_the_limit(a, b, expected):
    assert distance(a, b) == expected


@pytest.mark.django_db
def test_candidates_prefer_fewer_edits_then_commoner_words():
    Word.objects.bulk_create([Word(word=w, documents=n) for w, n in [
        ("election", 50), ("section", 5), ("elections", 20), ("erection", 1), ("elect", 9),
    ]])
    assert candidates("electon") == ["election"]
    assert candidates("lection") == ["election", "section"]  # one edit each; commoner first
    # Nothing one edit away: words with the same first letter, two edits at most.
    assert candidates("elektiom") == ["election"]
    assert candidates("zzzzzz") == []


@pytest.mark.django_db
def test_a_suggestion_must_find_something():
    Word.objects.bulk_create([Word(word="election", documents=50),
                              Word(word="section", documents=5)])
    assert suggest("lection", finds=lambda w: w == "section") == "section"
    assert suggest("lection", finds=lambda w: False) is None
    assert suggest("ab", finds=lambda w: True) is None  # too short to guess at
