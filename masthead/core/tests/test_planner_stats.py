"""Planner statistics follow the tables' growth: after a bulk import, and hourly.

The statistics (SQLite's `sqlite_stat1`; PostgreSQL's `pg_class.reltuples`, where autovacuum
is off, as on CI's server) must count what an import wrote once its transaction commits; a
table that grows ten-fold is stale again, one that only lost rows is not. The point of it, on
SQLite: the query that took 128 ms a call on a freshly imported 1M site (visible stories among
a few ids, planned without statistics as a walk of the index of every story) is a primary-key
look-up after.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from masthead.articles.models import Article
from masthead.core import planner_stats
from masthead.importers.records import ArticleRecord, CommentRecord
from masthead.importers.services import store_records

pytestmark = pytest.mark.django_db


def _autovacuum() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0] == "on"


@pytest.fixture
def few_rows(monkeypatch):
    """Five rows make a table worth analyzing, and the statistics start empty: PostgreSQL
    writes reltuples in place, so an earlier test's ANALYZE outlives its rolled-back rows."""
    if _autovacuum():
        pytest.skip("PostgreSQL's autovacuum keeps the statistics here")
    monkeypatch.setattr(planner_stats, "MIN_ROWS", 5)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
        else:
            for table in planner_stats._tables():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")  # empty here


def _records(first: int, count: int) -> list[ArticleRecord]:
    now = timezone.now()
    return [ArticleRecord(
        key=f"stats-{i}", title=f"Story {i}", body=f"Words of story {i}.",
        section=("World", "Sport")[i % 2], tags=[f"Topic {i % 5}"], authors=["A Reporter"],
        published_at=now - dt.timedelta(hours=i + 1),
        comments=[CommentRecord(key=f"c{i}", author="Reader", body="Hello.",
                                email="reader@example.org", status="approved",
                                created_at=now - dt.timedelta(hours=i))],
    ) for i in range(first, first + count)]


def _known_rows(table: str) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            return planner_stats._sqlite_known_rows(cursor).get(table, 0)
        return planner_stats._postgres_known_rows(cursor, [table]).get(table, 0)


def test_a_bulk_import_leaves_statistics_for_what_it_wrote(few_rows,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        store_records(_records(0, 30))
    assert {"articles_article", "comments_comment"} <= set(planner_stats.stale_tables())
    for callback in callbacks:  # the import's commit
        callback()
    assert planner_stats.stale_tables() == []
    assert _known_rows("articles_article") >= 30
    assert _known_rows("comments_comment") >= 30


def test_a_related_rebuild_leaves_statistics_for_the_lists_it_wrote(
        few_rows, django_capture_on_commit_callbacks):
    from masthead.recommendations import services as related

    store_records(_records(0, 12))
    planner_stats.refresh_stale(sample=False)  # the import's own, as its commit runs it
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        related.rebuild()
    assert "recommendations_relatedarticle" in planner_stats.stale_tables()
    for callback in callbacks:
        callback()
    assert "recommendations_relatedarticle" not in planner_stats.stale_tables()
    assert _known_rows("recommendations_relatedarticle") >= 5


def test_a_table_that_grows_ten_fold_is_stale_again(few_rows):
    store_records(_records(0, 10))
    assert "articles_article" in planner_stats.refresh_stale()
    assert planner_stats.refresh_stale() == []  # nothing left to do: no second ANALYZE
    store_records(_records(10, 90))
    assert "articles_article" not in planner_stats.stale_tables()  # 100 = 10 x 10
    store_records(_records(100, 5))
    assert "articles_article" in planner_stats.stale_tables()


def test_a_table_that_lost_rows_is_not_stale(few_rows):
    store_records(_records(0, 10))
    planner_stats.refresh_stale()
    store_records(_records(10, 200))
    # Its largest key says 210 rows; it holds 20.
    Article.objects.filter(pk__in=list(Article.objects.order_by("pk").values_list(
        "pk", flat=True)[:190])).delete()
    assert Article.objects.count() == 20
    assert "articles_article" not in planner_stats.stale_tables()


def test_small_tables_are_left_alone():
    store_records(_records(0, 30))
    assert planner_stats.MIN_ROWS > 30
    assert planner_stats.stale_tables() == planner_stats.refresh_stale() == []


def test_autovacuum_is_left_to_do_its_work():
    if not _autovacuum():
        pytest.skip("this PostgreSQL runs without autovacuum (or this is SQLite)")
    store_records(_records(0, 30))
    with connection.cursor() as cursor:
        assert planner_stats._postgres_known_rows(cursor, ["articles_article"]) is None


def test_every_job_worker_runs_the_sweep():
    paths = [path for path, _ in settings.MASTHEAD_BACKGROUND_JOBS]
    assert "masthead.core.planner_stats.refresh_stale" in paths
    assert import_string("masthead.core.planner_stats.refresh_stale") is planner_stats.refresh_stale


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's planner")
def test_the_1m_lookup_becomes_a_key_lookup(few_rows):
    store_records(_records(0, 400))
    ids = list(Article.objects.order_by("?").values_list("pk", flat=True)[:6])
    # The related update's former look-up (recommendations.documents, before candidates_among).
    query = Article.objects.published().stories().filter(pk__in=ids).values_list("pk")
    sql, params = query.query.sql_with_params()

    def plan() -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " | ".join(row[-1] for row in cursor.fetchall())

    assert "article_kind_recent" in plan()  # without statistics: every story's index entry
    planner_stats.refresh_stale(sample=False)
    assert "INTEGER PRIMARY KEY" in plan()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.execute("ANALYZE sqlite_schema")  # reload: no statistics again
    assert "article_kind_recent" in plan()
    assert "articles_article" in planner_stats.refresh_stale()  # sampled, as a live site's
    assert "INTEGER PRIMARY KEY" in plan()


def test_a_table_keyed_by_text_is_watched_too(few_rows, tmp_path):
    """The page cache's purge stamps (keyed by page key) reach a row per article after a
    related rebuild; a big purge leaves them counted, so pruning them is an index range."""
    from masthead.pagecache.models import PurgeStamp
    from masthead.pagecache.stores.files import FileStore

    PurgeStamp.objects.bulk_create([PurgeStamp(key=f"page:{n}", purged_at=1.0) for n in range(4)])
    assert "pagecache_purgestamp" not in planner_stats.stale_tables()  # under MIN_ROWS
    FileStore(tmp_path).purge([f"page:{n}" for n in range(4, 4 + planner_stats.MIN_ROWS)])
    assert "pagecache_purgestamp" not in planner_stats.stale_tables()
    assert _known_rows("pagecache_purgestamp") >= planner_stats.MIN_ROWS
    PurgeStamp.objects.bulk_create([PurgeStamp(key=f"new:{n}", purged_at=2e9)
                                    for n in range(20 * (4 + planner_stats.MIN_ROWS))])
    assert "pagecache_purgestamp" in planner_stats.stale_tables()  # grown ten-fold: counted
