"""Receivers: article and comment signals become deliveries, inside the change's transaction
(so a delivery exists exactly when the change committed). Payloads are built here, from the
same fields readers see (an allow-list); a comment's email is never in one."""

from __future__ import annotations

from django.conf import settings

from masthead.articles import signals as article_signals
from masthead.comments import signals as comment_signals

from .services import announce


def _absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path


def _article(article) -> dict:
    """What readers can see of it (an allow-list, like the Content API's summary)."""
    return {
        "id": article.pk, "type": article.kind, "url": _absolute(article.get_absolute_url()),
        "slug": article.slug, "headline": article.headline, "standfirst": article.standfirst,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "updated_at": article.updated_at.isoformat() if article.updated_at else None,
        "section": article.section.slug if article.section_id else None,
        "tags": sorted(article.tags.values_list("slug", flat=True)),
        "authors": [a.slug for a in article.byline_authors],
    }


def _gone(article, previous_paths=()) -> dict:
    path = (list(previous_paths or []) or [article.get_absolute_url()])[0]
    return {"id": article.pk, "headline": article.headline, "url": _absolute(path)}


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
