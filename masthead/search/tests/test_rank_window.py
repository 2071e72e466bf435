"""SQLite scores at most the newest `rank_window()` matches of a search (issue 20: bm25 over
every match grows with the archive); the total stays the count of every match."""

from __future__ import annotations

import pytest
from django.db import connection

from masthead.articles.models import Article
from masthead.search.backends.sqlite_fts5 import SQLiteFTS5Backend
from masthead.search.documents import documents
from masthead.search.query import parse

FILLER = "The council met on Tuesday to discuss the budget and the new tram line."


@pytest.fixture
def fts(db):
    if connection.vendor != "sqlite":
        pytest.skip("the rank window is the SQLite FTS5 backend's; PostgreSQL ranks exactly")
    return SQLiteFTS5Backend()


@pytest.fixture
def archive(fts, make_article):
    """Two old stories with the word in their headline, then three newer ones with it in
    the body only (created in that order, so their ids grow)."""
    old = [make_article(f"Zeppelin sighted over the bay {n}", body=FILLER) for n in range(2)]
    new = [make_article(f"Round-up {n}", body=f"{FILLER} A zeppelin{' zeppelin' * n} flew by.")
           for n in range(3)]
    fts.index(documents(Article.objects.all()))
    return old, new


def page(fts, raw, *, offset=0, limit=10):
    results = fts.search(parse(raw), None, offset=offset, limit=limit, cap=100)
    return results.total, [h.article_id for h in results.hits]


def test_without_a_window_limit_every_match_is_ranked(fts, archive):
    old, new = archive
    total, ids = page(fts, "zeppelin")
    assert total == 5
    assert set(ids[:2]) == {a.pk for a in old}  # headline matches first


def test_beyond_the_window_only_the_newest_matches_are_ranked(fts, archive, settings):
    settings.MASTHEAD_SEARCH_RANK_WINDOW = 3
    old, new = archive
    total, ids = page(fts, "zeppelin", limit=2)
    assert total == 5  # the count is still of every match
    assert set(ids) <= {a.pk for a in new}
    # ... ranked by bm25 among themselves: the body that repeats the word most comes first.
    assert ids[0] == new[2].pk


def test_a_page_deeper_than_the_window_widens_it_so_it_is_never_short(fts, archive, settings):
    settings.MASTHEAD_SEARCH_RANK_WINDOW = 1
    total, ids = page(fts, "zeppelin", offset=2, limit=2)
    assert total == 5 and len(ids) == 2


def test_with_fewer_matches_than_the_window_the_ranking_is_unchanged(fts, archive, settings):
    settings.MASTHEAD_SEARCH_RANK_WINDOW = 5
    everything = page(fts, "zeppelin")
    settings.MASTHEAD_SEARCH_RANK_WINDOW = 4000
    assert page(fts, "zeppelin") == everything
