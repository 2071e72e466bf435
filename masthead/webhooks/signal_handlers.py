"""Receivers: article and comment signals become deliveries, inside the change's transaction
(so a delivery exists exactly when the change committed). Payloads are built here, from the
same allow-lists as the Content API; a comment's email is never in one."""

from __future__ import annotations

from masthead.articles import signals as article_signals
from masthead.comments import signals as comment_signals

from .services import announce


def _article(article) -> dict:
    from masthead.api import serializers

    return serializers.article_summary(article)


def _gone(article, previous_paths=()) -> dict:
    from masthead.api.serializers import absolute

    path = (list(previous_paths or []) or [article.get_absolute_url()])[0]
    return {"id": article.pk, "headline": article.headline, "url": absolute(path)}


def _comment(comment) -> dict:
    return {"id": comment.pk, "article": comment.article_id, "parent": comment.parent_id,
            "author": comment.author_name, "status": comment.status,
            "created_at": comment.created_at.isoformat(), "body": comment.body}


def on_published(sender, article, **kwargs):
    announce("article.published", _article(article))


def on_changed(sender, article, **kwargs):
    announce("article.updated", _article(article))


def on_unpublished(sender, article, previous_paths=(), **kwargs):
    announce("article.unpublished", _gone(article, previous_paths))


def on_deleted(sender, article, **kwargs):
    announce("article.deleted", _gone(article))


def on_comment_posted(sender, comment, **kwargs):
    announce("comment.created", _comment(comment))


def on_comment_status_changed(sender, comment, old_status="", **kwargs):
    if comment.status == "approved" and old_status != "approved":
        announce("comment.approved", _comment(comment))


def connect() -> None:
    article_signals.article_published.connect(on_published, dispatch_uid="wh-pub")
    article_signals.article_changed.connect(on_changed, dispatch_uid="wh-chg")
    article_signals.article_unpublished.connect(on_unpublished, dispatch_uid="wh-unp")
    article_signals.article_deleted.connect(on_deleted, dispatch_uid="wh-del")
    comment_signals.comment_posted.connect(on_comment_posted, dispatch_uid="wh-cpost")
    comment_signals.comment_status_changed.connect(on_comment_status_changed,
                                                   dispatch_uid="wh-cstat")
