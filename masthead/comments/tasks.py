"""Comment jobs (masthead/jobs): mail, enqueued in the transaction that stored or moderated the
comment, sent by a worker, retried with backoff when the mail server refuses; and the spam
verdicts of a big import's comments, scored by workers after it.

Arguments are comment ids, never addresses: the queue table is readable by operators, and the
address is read (and decrypted) only when the mail is built. Mail is sent at least once: a
worker killed between the server's acceptance and the job's completion sends it again.
"""

from __future__ import annotations

from masthead.jobs.registry import job

from .models import Comment


@job(max_attempts=5, backoff=60.0)
def score_comments(first_id: int, last_id: int) -> int:
    """The spam verdicts of a big import's comments, which it stored unscored."""
    from .filtering import score_unscored

    return score_unscored(first_id, last_id)


def _comment(pk: int) -> Comment | None:
    return Comment.objects.select_related("article", "parent").filter(pk=pk).first()


@job(max_attempts=6, backoff=30.0)
def notify_moderators(comment_id: int) -> bool:
    from . import notifications

    comment = _comment(comment_id)
    return bool(comment) and notifications.notify_moderators(comment)


@job(max_attempts=6, backoff=30.0)
def notify_reply(comment_id: int) -> bool:
    from . import notifications

    comment = _comment(comment_id)
    return bool(comment) and notifications.notify_reply(comment)


@job(max_attempts=6, backoff=30.0)
def send_confirmation(comment_id: int, publishes: bool) -> bool:
    from . import notifications
    from .privacy import decrypt_email

    comment = _comment(comment_id)
    if comment is None or not comment.email_encrypted:
        return False  # erased meanwhile: nothing to confirm, nobody to write to
    return notifications.send_confirmation(comment, decrypt_email(comment.email_encrypted),
                                           publishes=publishes)
