"""Receivers: every change that readers can see purges exactly the pages that show it.

Connected in `PagecacheConfig.ready()`. The article and comment signals are sent inside the
transaction of the change; `services.purge_keys` enqueues a durable purge job in it, which runs
after the commit, so a purge never precedes the data it announces.
The rules themselves live in `dependencies.py`.
"""

from __future__ import annotations

from django.db.models.signals import pre_delete

from masthead.articles import signals as article_signals
from masthead.articles.models import Article
from masthead.comments import signals as comment_signals

from . import dependencies
from .services import purge_keys


def on_article_published(sender, article, **kwargs):
    purge_keys(dependencies.for_published(article), [article.get_absolute_url()])


def on_article_changed(sender, article, previous_paths=(), **kwargs):
    purge_keys(dependencies.for_changed(article), previous_paths or ())


def on_article_unpublished(sender, article, previous_paths=(), **kwargs):
    purge_keys(dependencies.for_unpublished(article), previous_paths or ())


def on_bulk_import_finished(sender, article_ids=(), **kwargs):
    purge_keys(dependencies.for_bulk_import(article_ids))


def on_taxonomy_changed(sender, obj, old_url="", **kwargs):
    purge_keys(dependencies.for_taxonomy(obj), [old_url] if old_url else [])


def on_front_page_curated(sender, change=None, **kwargs):
    # Only the front page shows curation: every other page is unchanged.
    purge_keys({"front"})


def on_comment_posted(sender, comment, **kwargs):
    if dependencies.comment_shown(comment.status):
        purge_keys(dependencies.for_comment(comment.article_id))


def on_comment_status_changed(sender, comment, old_status="", **kwargs):
    # Also when both are "approved": an edit or an erasure changes what the page shows.
    if dependencies.comment_shown(comment.status, old_status):
        purge_keys(dependencies.for_comment(comment.article_id))


def on_article_deleted(sender, instance, **kwargs):
    # Read the listings now: the rows that say where it was listed go with the article.
    keys = dependencies.for_unpublished(instance) | {"front", "feed"}
    purge_keys(keys, [instance.get_absolute_url()])


def connect() -> None:
    article_signals.article_published.connect(on_article_published, dispatch_uid="pc-pub")
    article_signals.article_changed.connect(on_article_changed, dispatch_uid="pc-chg")
    article_signals.article_unpublished.connect(on_article_unpublished, dispatch_uid="pc-unp")
    article_signals.bulk_import_finished.connect(on_bulk_import_finished, dispatch_uid="pc-bulk")
    article_signals.taxonomy_changed.connect(on_taxonomy_changed, dispatch_uid="pc-tax")
    article_signals.front_page_curated.connect(on_front_page_curated, dispatch_uid="pc-front")
    comment_signals.comment_posted.connect(on_comment_posted, dispatch_uid="pc-cpost")
    comment_signals.comment_status_changed.connect(on_comment_status_changed,
                                                   dispatch_uid="pc-cstat")
    pre_delete.connect(on_article_deleted, sender=Article, dispatch_uid="pc-del")
