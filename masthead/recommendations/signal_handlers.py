"""Keep the stored lists in step with what readers can see (STYLE habit 8: signals are the seam).

The article signals are sent inside the transaction of the change; each receiver enqueues a
durable job (`tasks`) in it, so the list update is owed exactly when the change committed. A
worker runs it (`services.record_changes`: log the change, then apply it); a failure is retried
by the queue, and the periodic sweep (`jobs.keep_lists_fresh`) applies anything logged but not
yet applied.
"""

from __future__ import annotations

from django.db.models.signals import post_delete

from masthead.articles import signals
from masthead.articles.models import Article
from masthead.core import id_runs
from masthead.jobs.registry import enqueue

from . import tasks
from .models import RelatedEvent


def on_article_published(sender, article, **kwargs):
    enqueue(tasks.record_changes, [article.pk], RelatedEvent.Op.UPSERT)


def on_article_changed(sender, article, **kwargs):
    enqueue(tasks.record_changes, [article.pk], RelatedEvent.Op.UPSERT)


def on_article_unpublished(sender, article, **kwargs):
    enqueue(tasks.record_changes, [article.pk], RelatedEvent.Op.REMOVE)


def on_bulk_import_finished(sender, article_ids=(), **kwargs):
    # As runs of consecutive ids: the job row of a 1M-article import stays a few bytes.
    enqueue(tasks.bulk_imported, id_runs.runs(article_ids))


def on_article_deleted(sender, instance, **kwargs):
    enqueue(tasks.record_changes, [instance.pk], RelatedEvent.Op.REMOVE)


def connect() -> None:
    uid = "masthead.recommendations"
    signals.article_published.connect(on_article_published, dispatch_uid=f"{uid}.published")
    signals.article_changed.connect(on_article_changed, dispatch_uid=f"{uid}.changed")
    signals.article_unpublished.connect(on_article_unpublished, dispatch_uid=f"{uid}.unpublished")
    signals.bulk_import_finished.connect(on_bulk_import_finished, dispatch_uid=f"{uid}.bulk")
    post_delete.connect(on_article_deleted, sender=Article, dispatch_uid=f"{uid}.deleted")
