"""The offline measures count what the reader sees: a missing slot is a miss."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from masthead.recommendations.engines import evaluation as ev

LISTS = {"a": ["b", "x"], "b": ["a", "c", "x", "y"], "c": []}
GROUP = {"a": 1, "b": 1, "c": 1, "x": 2, "y": 2}


def same(a, b):
    return GROUP[a] == GROUP[b]


def test_precision_counts_missing_slots_as_misses():
    assert ev.precision_at_k(LISTS, ["a"], same, 4) == pytest.approx(1 / 4)
    assert ev.shown_precision(LISTS, ["a"], same, 4) == pytest.approx(1 / 2)


def test_ndcg_is_one_for_a_perfect_list_of_the_available_relevant_items():
    assert ev.ndcg_at_k({"a": ["b", "c"]}, ["a"], same, lambda _: 2) == pytest.approx(1.0)
    assert ev.ndcg_at_k({"a": ["x", "b"]}, ["a"], same, lambda _: 1) < 1.0


def test_coverage_and_below_floor():
    cov = ev.coverage(LISTS, ["a", "b", "c"])
    assert cov["full_list"] == pytest.approx(1 / 3)
    assert cov["below_floor"] == pytest.approx(2 / 3)
    assert cov["recommended_somewhere"] == pytest.approx(1.0)


def test_latest_in_section_orders_by_date_and_stays_in_section():
    day = datetime(2024, 5, 1, tzinfo=UTC)
    dates = {"a": day, "b": day.replace(day=3), "c": day.replace(day=2), "x": None}
    lists = ev.latest_in_section(["a", "b", "c", "x"], {"a": 1, "b": 1, "c": 1, "x": 2}, dates)
    assert lists["a"] == ["b", "c"]
    assert lists["x"] == []


def test_random_lists_never_recommend_the_article_itself():
    lists = ev.random_lists([str(i) for i in range(10)], k=4, seed=1)
    assert all(k not in v and len(set(v)) == 4 for k, v in lists.items())
