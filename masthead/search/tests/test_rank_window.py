"""Both engines score at most about the newest `rank_window()` matches of a search (issue 20:
ranking every match grows with the archive); the total stays the count of every match.
SQLite takes exactly the newest `rank_window()` (sqlite_fts5.py); PostgreSQL the id range the
planner's statistics say holds that many, and only for searches estimated at more than
twice as many matches (postgres_window.py), which is why its archive is analyzed here."""

from __future__ import annotations

import pytest
from django.db import connection

from masthead.articles.models import Article
from masthead.search.backends import postgres_window
from masthead.search.documents import documents
from masthead.search.query import parse

from .conftest import BACKENDS

FILLER = "The council met on Tuesday to discuss the budget and the new tram line."
NEW = 6


@pytest.fixture
def engine(db):
    for vendor, backend_class in BACKENDS.values():
        if connection.vendor == vendor:
            return backend_class()
    pytest.skip(f"no search engine for {connection.vendor}")


@pytest.fixture
def archive(engine, make_article):
    """Two old stories with the word in their headline, then NEW newer ones with it in
    the body only, repeated more in each (created in that order, so their ids grow)."""
    old = [make_article(f"Zeppelin sighted over the bay {n}", body=FILLER) for n in range(2)]
    new = [make_article(f"Round-up {n}", body=f"{FILLER} A zeppelin{' zeppelin' * n} flew by.")
           for n in range(NEW)]
    engine.index(documents(Article.objects.all()))
    if connection.vendor == "postgresql":  # the window is sized from the statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")
    return old, new


def page(engine, raw, *, offset=0, limit=10):
    results = engine.search(parse(raw), None, offset=offset, limit=limit, cap=100)
    return results.total, [h.article_id for h in results.hits]


def test_without_a_window_limit_every_match_is_ranked(engine, archive):
    old, new = archive
    total, ids = page(engine, "zeppelin")
    assert total == 2 + NEW
    assert set(ids[:2]) == {a.pk for a in old}  # headline matches first


def test_beyond_the_window_only_the_newest_matches_are_ranked(engine, archive, settings):
    settings.MASTHEAD_SEARCH_RANK_WINDOW = 3
    old, new = archive
    total, ids = page(engine, "zeppelin", limit=2)
    assert total == 2 + NEW  # the count is still of every match
    assert set(ids) <= {a.pk for a in new[-3:]}
    # ... ranked among themselves: the body that repeats the word most comes first.
    assert ids[0] == new[-1].pk


def test_a_page_deeper_than_the_window_widens_it_so_it_is_never_short(engine, archive,
                                                                      settings):
    settings.MASTHEAD_SEARCH_RANK_WINDOW = 1
    total, ids = page(engine, "zeppelin", offset=2, limit=2)
    assert total == 2 + NEW and len(ids) == 2


def test_with_fewer_matches_than_the_window_the_ranking_is_unchanged(engine, archive,
                                                                    settings):
    settings.MASTHEAD_SEARCH_RANK_WINDOW = 2 + NEW
    everything = page(engine, "zeppelin")
    settings.MASTHEAD_SEARCH_RANK_WINDOW = 4000
    assert page(engine, "zeppelin") == everything


def test_postgres_a_window_the_estimate_made_too_short_is_dropped(engine, archive, settings,
                                                                  monkeypatch):
    """Statistics can be stale: a window holding fewer matches than the page needs would
    leave the page short, so the search runs again over every match."""
    if connection.vendor != "postgresql":
        pytest.skip("the estimated window is PostgreSQL's")
    old, new = archive
    monkeypatch.setattr(postgres_window, "floor", lambda *args: new[-1].pk)
    settings.MASTHEAD_SEARCH_RANK_WINDOW = 3
    total, ids = page(engine, "zeppelin", limit=4)
    assert total == 2 + NEW and len(ids) == 4
    assert set(ids[:2]) == {a.pk for a in old}  # every match ranked: headlines first


def test_a_total_beyond_the_cap_is_cap_plus_one(engine, archive):
    """On PostgreSQL the head matches (two headlines) already exceed a cap of one, so the
    total is read off them without counting every match; it is the same total."""
    results = engine.search(parse("zeppelin"), None, offset=0, limit=1, cap=1)
    assert results.total == 2 and len(results.hits) == 1


def test_sqlite_one_statement_page_agrees_with_ranking_then_counting(engine, archive, settings):
    """SQLite answers a page in one walk of the newest matches (`_PAGE`): the same hits and
    total as ranking the window and counting apart (the engine's `rank` and `count`), for
    windows narrower and wider than the page, the cap and the matches."""
    if connection.vendor != "sqlite":
        pytest.skip("the one-statement page is SQLite's")
    from hypothesis import given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st

    from masthead.search.backends.base import SearchBackend

    @hypothesis_settings(max_examples=60, deadline=None)
    @given(window=st.integers(1, 12), offset=st.integers(0, 10), limit=st.integers(1, 5),
           cap=st.integers(0, 10), raw=st.sampled_from(["zeppelin", '"a zeppelin"',
                                                         "council zeppelin", "nothing"]))
    def check(window, offset, limit, cap, raw):
        settings.MASTHEAD_SEARCH_RANK_WINDOW = window
        query = parse(raw)
        one = engine.search(query, None, offset=offset, limit=limit, cap=cap)
        apart = SearchBackend.search(engine, query, None, offset=offset, limit=limit, cap=cap)
        assert one.total == apart.total
        assert one.hits == apart.hits

    check()


def test_sqlite_highlights_every_hit_of_a_page_split_across_statements(engine, archive,
                                                                       monkeypatch):
    """Each hit is looked up on its own (`_HIGHLIGHT_ONE`), at most HIGHLIGHT_ARMS to a
    statement: a page longer than that still gets every headline and snippet, in order."""
    if connection.vendor != "sqlite":
        pytest.skip("the per-id highlight is SQLite's")
    from masthead.search.backends import sqlite_fts5
    from masthead.search.snippets import START

    monkeypatch.setattr(sqlite_fts5, "HIGHLIGHT_ARMS", 3)
    results = engine.search(parse("zeppelin"), None, offset=0, limit=8, cap=100)
    assert len(results.hits) == 8
    scores = [h.score for h in results.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(START + "zeppelin" in (h.title + h.snippet).lower() for h in results.hits)
    old, new = archive
    headlines = [h.title for h in results.hits if h.article_id in {a.pk for a in old}]
    assert len(headlines) == 2 and all(START in t for t in headlines)
