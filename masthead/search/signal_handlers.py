"""Keep the index in step with what readers can see (STYLE habit 8: signals are the seam).

The article signals are sent inside the transaction of the change; each receiver enqueues a
durable job (`tasks`) in that same transaction, so the index entry is owed exactly when the
change committed, and a crash between the commit and the indexing is repaired by a worker.
An entry that lingers is harmless meanwhile: every query is restricted to visible articles.
"""

from __future__ import annotations

from django.db.models.signals import post_delete

from masthead.articles import signals
from masthead.articles.models import Article
from masthead.jobs.registry import enqueue

from . import tasks


def on_article_published(sender, article, **kwargs):
    enqueue(tasks.sync_articles, [article.pk])


def on_article_changed(sender, article, **kwargs):
    # Still visible by definition, but sync checks again: the article may have changed since.
    enqueue(tasks.sync_articles, [article.pk])


def on_article_unpublished(sender, article, **kwargs):
    enqueue(tasks.remove_articles, [article.pk])


def on_bulk_import_finished(sender, article_ids, **kwargs):
    """A small import is indexed at once, by the importing process. A big one is left to the
    workers (the import ends when its data is in; search finds the new articles a little
    later): syncing in the importer cost ~1.5 CPU ms an article, 25 minutes for a 1M archive
    against the import's 30-minute budget (issue 20, item 1). When the import is at least
    half the site, one bulk build (`rebuild_index`: one pass, ~1.3 CPU ms an article at 10k,
    the vocabulary recounted once) costs about what syncing the new ones would; otherwise
    the sync is split into worker jobs."""
    # `article_ids` is the import's compact array: sliced, never copied whole into a list.
    n = len(article_ids)
    if n <= tasks.EAGER_SYNC_MAX:
        enqueue(tasks.sync_articles, list(article_ids))
    elif n >= tasks.REBUILD_SHARE * Article.objects.count():
        enqueue(tasks.rebuild_index)
    else:
        step = tasks.EAGER_SYNC_MAX
        for start in range(0, n, step):
            enqueue(tasks.sync_articles_later, list(article_ids[start:start + step]))


def on_article_deleted(sender, instance, **kwargs):
    enqueue(tasks.remove_articles, [instance.pk])


def connect() -> None:
    uid = "masthead.search"
    signals.article_published.connect(on_article_published, dispatch_uid=f"{uid}.published")
    signals.article_changed.connect(on_article_changed, dispatch_uid=f"{uid}.changed")
    signals.article_unpublished.connect(on_article_unpublished, dispatch_uid=f"{uid}.unpublished")
    signals.bulk_import_finished.connect(on_bulk_import_finished, dispatch_uid=f"{uid}.bulk")
    post_delete.connect(on_article_deleted, sender=Article, dispatch_uid=f"{uid}.deleted")
