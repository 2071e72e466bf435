"""Receivers of the comments app's own signals (sent inside the transaction that stores the
comment; the mail is a durable job written in it, so it goes out only for comments that are
really stored): moderators hear of held comments, subscribers of replies.
Also Django's `setting_changed` (tests only), which drops the comment form's cached URLs."""

from __future__ import annotations

from django.core.signals import setting_changed

from .models import Comment
from .signals import comment_posted, comment_status_changed


def on_comment_posted(sender, comment, **kwargs):
    from masthead.jobs.registry import enqueue

    from . import tasks

    if comment.status == Comment.Status.PENDING:
        enqueue(tasks.notify_moderators, comment.pk)
    elif comment.status == Comment.Status.APPROVED and comment.parent_id:
        enqueue(tasks.notify_reply, comment.pk)


def on_comment_status_changed(sender, comment, old_status, **kwargs):
    from masthead.jobs.registry import enqueue

    from . import tasks

    if (comment.status == Comment.Status.APPROVED and old_status != Comment.Status.APPROVED
            and comment.parent_id):
        enqueue(tasks.notify_reply, comment.pk)


def connect() -> None:
    from .blocks import forget_form_urls

    setting_changed.connect(forget_form_urls, dispatch_uid="comments.forget_form_urls")
    comment_posted.connect(on_comment_posted, dispatch_uid="comments.notify_posted")
    comment_status_changed.connect(on_comment_status_changed,
                                   dispatch_uid="comments.notify_status_changed")
