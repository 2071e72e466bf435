"""Keep the index in step with what readers can see (STYLE habit 8: signals are the seam).

The article signals are sent after the transaction commits, so the index is written only for
changes that happened. A failure to index must not turn a successful publication into an error
page: it is logged, and the next change or `masthead search reindex` repairs it (an entry that
lingers is harmless, because every query is restricted to visible articles).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete

from masthead.articles import signals
from masthead.articles.models import Article

from . import services

log = logging.getLogger("masthead.search")


def _guarded(action, ids) -> None:
    try:
        action(ids)
    except DatabaseError:
        log.exception("search index update failed for articles %s", sorted(ids)[:20])


def on_article_published(sender, article, **kwargs):
    _guarded(services.sync_articles, [article.pk])


def on_article_changed(sender, article, **kwargs):
    # Still visible by definition, but sync checks again: the article may have changed since.
    _guarded(services.sync_articles, [article.pk])


def on_article_unpublished(sender, article, **kwargs):
    _guarded(services.remove_articles, [article.pk])


def on_bulk_import_finished(sender, article_ids, **kwargs):
    _guarded(services.sync_articles, list(article_ids))


def on_article_deleted(sender, instance, **kwargs):
    pk = instance.pk
    transaction.on_commit(lambda: _guarded(services.remove_articles, [pk]))


def connect() -> None:
    uid = "masthead.search"
    signals.article_published.connect(on_article_published, dispatch_uid=f"{uid}.published")
    signals.article_changed.connect(on_article_changed, dispatch_uid=f"{uid}.changed")
    signals.article_unpublished.connect(on_article_unpublished, dispatch_uid=f"{uid}.unpublished")
    signals.bulk_import_finished.connect(on_bulk_import_finished, dispatch_uid=f"{uid}.bulk")
    post_delete.connect(on_article_deleted, sender=Article, dispatch_uid=f"{uid}.deleted")
