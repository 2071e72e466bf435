"""PostgreSQL's `search reindex` fills its new table over several connections at once
(`postgres_rebuild.fill`): the table is the same as one connection writes, a writer's failure
reaches the command and leaves the live index as it was, and no writer is left waiting.

Committed data: the writers' own connections must see the articles and the new table, which
a test's transaction would hide from them (there, `fill` writes from its own thread)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from masthead.search.backends import postgres, postgres_rebuild
from masthead.search.models import PgDocument
from masthead.search.services import rebuild_index, search

# Every app available: the flush after each test then truncates with CASCADE (the search
# engine's own table references articles_article outside Django's knowledge).
pytestmark = pytest.mark.django_db(transaction=True,
                                   available_apps=list(settings.INSTALLED_APPS))


@pytest.fixture
def site(make_article, settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the parallel fill is PostgreSQL's rebuild")
    settings.MASTHEAD_JOBS_EAGER = "all"
    monkeypatch.setattr(postgres, "BATCH", 3)  # 25 articles: nine batches over the writers
    return [make_article(f"Zeppelin sighting {n}", body=f"A zeppelin over bay number {n}. " * 5,
                         standfirst=f"Report {n} from the pier") for n in range(25)]


def _table() -> list[tuple]:
    return sorted(PgDocument.objects.extra(select={  # the stored vectors as text
        "v": "vector::text", "l": "lede_vector::text", "h": "head_vector::text",
        "f": "facets::text"}).values_list("article_id", "v", "l", "h", "f"))


def test_several_writers_fill_the_same_table_as_one(site, monkeypatch):
    monkeypatch.setattr(postgres_rebuild, "WRITERS", 1)
    assert rebuild_index() == 25
    alone = _table()
    names = []
    real_upsert = postgres_rebuild.upsert

    def upsert(*args, **kwargs):
        names.append(threading.current_thread().name)
        return real_upsert(*args, **kwargs)

    monkeypatch.setattr(postgres_rebuild, "WRITERS", 3)
    monkeypatch.setattr(postgres_rebuild, "upsert", upsert)
    assert rebuild_index() == 25
    assert _table() == alone and len(alone) == 25
    assert len(names) == 9 and all(n.startswith("search-fill-") for n in names)
    assert {r.article.pk for r in search("zeppelin").results} <= {a.pk for a in site}


def test_a_writers_failure_stops_the_rebuild_and_leaves_the_live_index(site, monkeypatch):
    rebuild_index()
    before = _table()
    calls = []
    real_upsert = postgres_rebuild.upsert

    def upsert(cursor, table, rows, using, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the server went away")
        return real_upsert(cursor, table, rows, using, **kwargs)

    monkeypatch.setattr(postgres_rebuild, "upsert", upsert)
    with pytest.raises(RuntimeError, match="went away"):
        rebuild_index()
    assert len(calls) < 9  # it stopped sending batches
    assert not [t for t in threading.enumerate() if t.name.startswith("search-fill-")]
    assert _table() == before  # the live table was never touched
    assert search("zeppelin").results
