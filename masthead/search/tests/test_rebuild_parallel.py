"""PostgreSQL's `search reindex` fills its new table over several connections at once
(`postgres_rebuild.fill`): the table is the same as one connection writes, a writer's failure
reaches the command and leaves the live index as it was, and no writer is left waiting. It
builds the new table's indexes over several connections too (`build_indexes`): the same
indexes as the live table's, each once.

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
    assert not _shadow()  # changes are written to the live table alone again


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                       "WHERE tablename = 'search_document'")
        return dict(cursor.fetchall())


def test_the_indexes_are_built_over_several_connections_as_they_were(site, monkeypatch):
    rebuild_index()
    before = _indexes()
    built = []
    real_build = postgres_rebuild._build

    def build(cursor, name, definition):
        built.append((threading.current_thread().name, name))
        return real_build(cursor, name, definition)

    monkeypatch.setattr(postgres_rebuild, "_build", build)
    assert rebuild_index() == 25
    assert _indexes() == before and "search_document_phrase_pairs_1" in before
    assert sorted(name for _, name in built) == sorted(n for n in before if not n.endswith(
        "_pkey"))
    assert {thread for thread, _ in built} == {"search-index-0", "search-index-1"}
    assert not [t for t in threading.enumerate() if t.name.startswith("search-index-")]
    assert search('"zeppelin sighting"').results


def test_a_failed_index_build_leaves_the_live_index(site, monkeypatch):
    rebuild_index()
    before = _table()

    def build(cursor, name, definition):
        raise RuntimeError("out of disk")

    monkeypatch.setattr(postgres_rebuild, "_build", build)
    with pytest.raises(RuntimeError, match="out of disk"):
        rebuild_index()
    assert _table() == before
    assert search("zeppelin").results
    assert not _shadow()


def _shadow() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [postgres_rebuild.SHADOW])
        return cursor.fetchone()[0]


def test_migration_0006_builds_the_new_pairs_index_beside_the_old(site):
    """Upgraded with entries in the table: the new index is built (concurrently) and valid,
    the previous release's index and functions stay for its servers, phrases find the same,
    and the next rebuild leaves only the new index."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("masthead.search.migrations.0006_phrase_pairs")
    rebuild_index()
    found = [r.article.pk for r in search('"zeppelin sighting"').results]
    with connection.schema_editor(atomic=False) as editor:
        migration.backwards(apps, editor)
    assert not [name for name in _indexes() if name.startswith("search_document_phrase")]
    with connection.schema_editor(atomic=False) as editor:
        migration.forwards(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text, indisvalid FROM pg_index "
                       "WHERE indrelid = 'search_document'::regclass")
        valid = dict(cursor.fetchall())
        cursor.execute("SELECT search_pairs_query(to_tsvector('english', 'zeppelin sighting'))")
    assert valid["search_document_phrase_pairs_0"] and valid["search_document_phrase_pairs_1"]
    assert valid["search_document_pairs"]
    assert [r.article.pk for r in search('"zeppelin sighting"').results] == found and found
    rebuild_index()
    assert "search_document_pairs" not in _indexes()
    assert {"search_document_phrase_pairs_0", "search_document_phrase_pairs_1"} <= set(
        _indexes())


def test_migration_0007_drops_the_retired_index_only_where_nothing_is_indexed(site):
    """A fresh install has no indexed article: the previous release's pairs index has no
    server to speed up and cost every write; where articles are indexed it stays for a
    rolling upgrade (0006), until the next rebuild."""
    import importlib

    from django.apps import apps

    previous = importlib.import_module("masthead.search.migrations.0006_phrase_pairs")
    migration = importlib.import_module("masthead.search.migrations.0007_retired_pairs_on_empty")
    rebuild_index()
    with connection.schema_editor(atomic=False) as editor:
        previous.backwards(apps, editor)  # as upgraded from the previous release
        previous.forwards(apps, editor)
        migration.forwards(apps, editor)
    assert "search_document_pairs" in _indexes()  # articles are indexed: kept
    PgDocument.objects.all().delete()
    with connection.schema_editor(atomic=False) as editor:
        migration.forwards(apps, editor)
    assert "search_document_pairs" not in _indexes()
    assert {"search_document_phrase_pairs_0", "search_document_phrase_pairs_1"} <= set(
        _indexes())
