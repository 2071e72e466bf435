"""Keep the stored lists in step with what readers can see (STYLE habit 8: signals are the seam).

The article signals are sent after the transaction commits. Each change is logged and applied
at once (`services.record_changes`), so the publishing request returns with the lists already
updated. A failure is logged, never raised: the publication stands, the logged event stays, and
the background job (`jobs.keep_lists_fresh`) or the next change applies it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete

from masthead.articles import signals
from masthead.articles.models import Article

from . import services
from .models import RelatedEvent

log = logging.getLogger("masthead.recommendations")


def _guarded(action, *args) -> None:
    try:
        action(*args)
    except Exception:  # noqa: BLE001 - a list update must never turn a publication into a 500
        log.exception("related lists: %s failed", action.__name__)


def on_article_published(sender, article, **kwargs):
    _guarded(services.record_changes, [article.pk], RelatedEvent.Op.UPSERT)


def on_article_changed(sender, article, **kwargs):
    _guarded(services.record_changes, [article.pk], RelatedEvent.Op.UPSERT)


def on_article_unpublished(sender, article, **kwargs):
    _guarded(services.record_changes, [article.pk], RelatedEvent.Op.REMOVE)


def on_bulk_import_finished(sender, article_ids=(), **kwargs):
    _guarded(services.bulk_imported, list(article_ids))


def on_article_deleted(sender, instance, **kwargs):
    pk = instance.pk
    transaction.on_commit(
        lambda: _guarded(services.record_changes, [pk], RelatedEvent.Op.REMOVE)
    )


def connect() -> None:
    uid = "masthead.recommendations"
    signals.article_published.connect(on_article_published, dispatch_uid=f"{uid}.published")
    signals.article_changed.connect(on_article_changed, dispatch_uid=f"{uid}.changed")
    signals.article_unpublished.connect(on_article_unpublished, dispatch_uid=f"{uid}.unpublished")
    signals.bulk_import_finished.connect(on_bulk_import_finished, dispatch_uid=f"{uid}.bulk")
    post_delete.connect(on_article_deleted, sender=Article, dispatch_uid=f"{uid}.deleted")
