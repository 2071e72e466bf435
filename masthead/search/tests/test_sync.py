"""The index follows what readers can see, through the article signals and `search reindex`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from masthead.articles import services as articles
from masthead.articles.models import Article
from masthead.cli import resolve
from masthead.importers.records import ArticleRecord
from masthead.importers.services import store_records
from masthead.search.backends import get_backend
from masthead.search.documents import documents
from masthead.search.models import Word
from masthead.search.services import search

pytestmark = pytest.mark.django_db


def hits(raw: str) -> list[int]:
    return [r.article.pk for r in search(raw).results]


def test_a_published_article_is_found(publish):
    article = publish("Harbour bridge opens", body="The new bascule bridge opened today.")
    assert hits("bascule") == [article.pk]


def test_an_unpublished_article_is_gone(publish, committed):
    article = publish("Harbour bridge opens", body="The new bascule bridge opened today.")
    with committed():
        articles.unpublish_article(article)
    assert hits("bascule") == []
    assert article.pk not in get_backend().indexed_ids()


def test_an_edited_article_is_found_by_its_new_words_only(publish, committed):
    article = publish("Harbour bridge opens", body="The new bascule bridge opened today.")
    article.body = "The new cantilever bridge opened today."
    with committed():
        articles.save_article(article)
    assert hits("cantilever") == [article.pk]
    assert hits("bascule") == []


def test_drafts_are_never_indexed(publish):
    draft = publish("Secret plans", body="Embargoed zeppelin story.", status="draft")
    assert hits("zeppelin") == []
    assert draft.pk not in get_backend().indexed_ids()


def test_a_scheduled_article_is_found_only_once_it_is_due(publish, committed):
    article = publish("Coming soon", body="The quokka exhibition opens.", status="scheduled",
                      published_at=timezone.now() + dt.timedelta(hours=2))
    assert hits("quokka") == []
    assert article.pk not in get_backend().indexed_ids()
    # Time passes: the schedule falls due and the scheduler announces the publication.
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - dt.timedelta(seconds=1))
    with committed():
        assert articles.publish_due_articles() == [article.pk]
    assert hits("quokka") == [article.pk]


def test_a_bulk_import_is_indexed_once_it_commits(committed, db):
    records = [
        ArticleRecord(title="Imported wombat story", body="Wombats dig.", key="w1",
                      published_at=timezone.now() - dt.timedelta(days=1)),
        ArticleRecord(title="Imported wombat draft", body="Wombats sleep.", key="w2",
                      status="draft"),
    ]
    with committed():
        store_records(records)
    imported = Article.objects.get(external_key__endswith="w1")
    assert hits("wombat") == [imported.pk]
    assert len(get_backend().indexed_ids()) == 1


def _import_wombats(committed, n):
    records = [ArticleRecord(title=f"Imported wombat {i}", body="Wombats dig.", key=f"bw{i}",
                             published_at=timezone.now() - dt.timedelta(days=1))
               for i in range(n)]
    with committed():
        store_records(records)
    return set(Article.objects.filter(external_key__startswith="bw").values_list("pk", flat=True))


def _jobs() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_a_big_import_that_is_most_of_the_site_is_indexed_by_one_rebuild(
        committed, db, monkeypatch):
    from masthead.search import tasks

    monkeypatch.setattr(tasks, "EAGER_SYNC_MAX", 2)
    ids = _import_wombats(committed, 5)
    assert set(hits("wombat")) == ids
    assert [j for j in _jobs() if "search" in j] == ["masthead.search.tasks.rebuild_index"]


def test_a_big_import_into_a_bigger_site_is_synced_by_worker_jobs(
        committed, db, monkeypatch, publish):
    from masthead.search import tasks

    for i in range(4):
        publish(f"Older story {i}", body="Nothing about burrowing animals.")
    monkeypatch.setattr(tasks, "EAGER_SYNC_MAX", 2)
    monkeypatch.setattr(tasks, "REBUILD_SHARE", 0.9)  # 5 of 9 articles: sync, not rebuild
    ids = _import_wombats(committed, 5)
    assert set(hits("wombat")) == ids
    imported_jobs = [j for j in _jobs() if j.endswith(("rebuild_index", "sync_articles_later"))]
    assert imported_jobs == ["masthead.search.tasks.sync_articles_later"] * 3  # 2 + 2 + 1


def test_search_reindex_drops_the_rebuild_a_big_import_queued_before_it(
        committed, db, monkeypatch, settings):
    """An operator who runs `search reindex` after a big import does not pay for the rebuild
    the import queued a second time; a rebuild queued while it runs stays queued."""
    from masthead.jobs.registry import enqueue
    from masthead.search import services, tasks

    settings.MASTHEAD_JOBS_EAGER = "fast"  # as served: the rebuild waits for a worker
    monkeypatch.setattr(tasks, "EAGER_SYNC_MAX", 2)
    ids = _import_wombats(committed, 5)
    assert hits("wombat") == []
    assert [j for j in _jobs() if "search" in j] == ["masthead.search.tasks.rebuild_index"]

    queued_meanwhile = []

    def progress(stream, total):
        with committed():  # queued after the rebuild started: it may have missed what queued it
            queued_meanwhile.append(enqueue(tasks.rebuild_index))
        yield from stream

    assert services.rebuild_index(progress=progress) == 5
    assert set(hits("wombat")) == ids
    from django_tasks_db.models import DBTaskResult

    left = DBTaskResult.objects.filter(task_path="masthead.search.tasks.rebuild_index")
    assert [str(pk) for pk in left.values_list("id", flat=True)] == queued_meanwhile


def test_a_deleted_article_leaves_the_index(publish, committed):
    article = publish("Harbour bridge opens", body="The new bascule bridge opened today.")
    pk = article.pk
    with committed():
        article.delete()
    assert pk not in get_backend().indexed_ids()


def test_reindex_rebuilds_from_visible_articles_and_recounts_words(publish, make_article):
    first = publish("Harbour bridge opens", body="The bascule bridge opened.")
    second = publish("Another bridge", body="A bascule design again.")
    unindexed = make_article("Signals not run", body="The bascule was painted.")
    stale = make_article("Draft", body="bascule", status="draft")
    get_backend().index(documents(Article.objects.filter(pk=stale.pk)))  # a stale entry
    out = StringIO()
    call_command("search", "reindex", stdout=out)
    assert out.getvalue().startswith("Indexed 3 article(s)")
    assert set(hits("bascule")) == {first.pk, second.pk, unindexed.pk}
    assert get_backend().indexed_ids() == {first.pk, second.pk, unindexed.pk}
    assert Word.objects.get(word="bascule").documents == 3


def test_a_stale_entry_is_never_shown_and_is_dropped_when_met(publish, make_article):
    draft = make_article("Draft", body="bascule", status="draft")
    get_backend().index(documents(Article.objects.filter(pk=draft.pk)))  # signals missed it
    visible = publish("Bridge opens", body="bascule")
    page = search("bascule")
    assert [r.article.pk for r in page.results] == [visible.pk]
    assert page.total == 1
    assert draft.pk not in get_backend().indexed_ids()


def test_the_cli_sends_search_reindex_to_the_search_command():
    assert resolve(["search", "reindex"]) == ["search", "reindex"]
