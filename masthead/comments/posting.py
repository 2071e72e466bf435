"""Posting a comment: every rule a reader's comment passes, in one service (STYLE habit 4).

`post_comment(submission)` checks, in order: the article is open; the reply target is an
approved comment of the same article within the depth limit; the submission was not already
stored (idempotency key); the IP and email are under the rate limit; the same commenter has not
already said exactly this here; then it scores the text and decides the state:

- spam verdict → `spam`; uncertain verdict or too many links → `pending`;
- otherwise `approved` only when the browser carries the returning-commenter cookie naming an
  approved comment by this same address (an email alone is not proof of identity); a known
  address without it is held and mailed a signed link that publishes the comment when clicked;
  a first-time address is held for a moderator.

Refusals raise `CommentRefused` with the HTTP status and the message the reader sees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import filtering, ratelimit, signals, tokens
from .models import Comment, Commenter
from .privacy import email_digest, encrypt_email

REASON_FIRST = "first comment from this address"
REASON_CONFIRM = "address used before, not yet confirmed from this browser"
# Confirmation mails to one address at most this often, whatever is typed into the form.
CONFIRMATION_MAIL_INTERVAL = dt.timedelta(minutes=10)


class CommentRefused(Exception):
    def __init__(self, message: str, status: int = 400, field: str = ""):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


@dataclass
class Submission:
    article: object  # articles.Article, already known to be visible
    author: str
    email: str
    body: str
    token: tokens.FormToken
    url: str = ""
    parent_id: int | None = None
    notify: bool = False
    ip: str | None = None
    returning_ids: list[int] = field(default_factory=list)


@dataclass
class Posted:
    comment: Comment
    created: bool  # False when the submission was a retry of one already stored
    mail_confirmation: bool = False


def comments_open(article, now: dt.datetime | None = None) -> bool:
    if not article.comments_enabled or not article.is_visible:
        return False
    days = getattr(settings, "MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS", 0)
    if days and article.published_at:
        return article.published_at >= (now or timezone.now()) - dt.timedelta(days=days)
    return True


def max_depth() -> int:
    return max(1, getattr(settings, "MASTHEAD_COMMENTS_MAX_DEPTH", 5))


def _parent(article, parent_id: int | None) -> Comment | None:
    if not parent_id:
        return None
    parent = Comment.objects.filter(pk=parent_id, article=article,
                                    status=Comment.Status.APPROVED).first()
    if parent is None:
        raise CommentRefused("You can only reply to a published comment on this article.",
                             400, "comment_parent")
    if parent.depth + 1 >= max_depth():
        raise CommentRefused("This conversation is too deep to reply to here; please reply "
                             "further up the thread.", 400, "comment_parent")
    return parent


def _decide(verdict: filtering.ContentVerdict, digest: str, returning_ids: list[int]):
    """(status, hold reason, needs address confirmation)."""
    if verdict.verdict == "spam":
        return Comment.Status.SPAM, verdict.reason, False
    if verdict.verdict == "hold":
        return Comment.Status.PENDING, verdict.reason, False
    approved_here = Comment.objects.by_email_digest(digest).filter(status=Comment.Status.APPROVED)
    if returning_ids and approved_here.filter(pk__in=returning_ids).exists():
        return Comment.Status.APPROVED, "", False
    if approved_here.exists():
        return Comment.Status.PENDING, REASON_CONFIRM, True
    return Comment.Status.PENDING, REASON_FIRST, False


def _existing(key: str) -> Comment | None:
    return Comment.objects.filter(submission_key=key).select_related("article").first()


def post_comment(sub: Submission, *, now: dt.datetime | None = None) -> Posted:
    now = now or timezone.now()
    article = sub.article
    if not comments_open(article, now):
        raise CommentRefused("Comments are closed for this article.", 403)
    parent = _parent(article, sub.parent_id)
    digest = email_digest(sub.email)
    key = tokens.submission_key(sub.token, parent.pk if parent else None, digest, sub.body)
    if found := _existing(key):
        return Posted(found, created=False)
    if not ratelimit.allow(ip=sub.ip, email_digest=digest, now=now.timestamp()):
        raise CommentRefused("You are posting comments too quickly. Please wait a minute and "
                             "try again.", 429)
    same_words = Comment.objects.by_email_digest(digest).filter(article=article, body=sub.body) \
        .exclude(status=Comment.Status.TRASH).values_list("submission_key", flat=True).first()
    if same_words is not None:
        if same_words == key:  # the twin of this very submission committed meanwhile
            return Posted(_existing(key), created=False)
        raise CommentRefused("Duplicate comment detected: it looks as though you have already "
                             "said that.", 409)

    verdict = filtering.content_verdict(filtering.as_text(sub.body, sub.author, sub.url))
    status, reason, needs_confirmation = _decide(verdict, digest, sub.returning_ids)
    comment = Comment(
        article=article, parent=parent, depth=(parent.depth + 1) if parent else 0,
        author_name=sub.author, author_url=sub.url, body=sub.body,
        email_encrypted=encrypt_email(sub.email), email_digest=digest,
        status=status, created_at=now, ip_address=sub.ip or None,
        spam_score=verdict.score, spam_verdict=verdict.verdict, hold_reason=reason,
        submission_key=key, notify_replies=sub.notify and status != Comment.Status.SPAM,
    )
    try:
        with transaction.atomic():
            comment.save()
            mail = _commenter_bookkeeping(comment, sub.email, needs_confirmation, now)
            signals.comment_posted.send(sender=Comment, comment=comment)
            if mail:
                from masthead.jobs.registry import enqueue

                from .tasks import send_confirmation
                enqueue(send_confirmation, comment.pk, needs_confirmation)
    except IntegrityError:
        # The same submission was stored by a concurrent request (double click, retry).
        found = _existing(key)
        if found is None:
            raise
        return Posted(found, created=False)
    return Posted(comment, created=True, mail_confirmation=mail)


def _commenter_bookkeeping(comment: Comment, email: str, needs_confirmation: bool, now) -> bool:
    """Whether to mail this address a confirmation link now (rate-limited per address)."""
    if comment.status == Comment.Status.SPAM:
        return False
    wants_mail = needs_confirmation
    if comment.notify_replies:
        confirmed = Commenter.objects.filter(
            email_digest=comment.email_digest, confirmed_at__isnull=False
        ).exists()
        wants_mail = wants_mail or not confirmed  # double opt-in: first mail is the link
    if not wants_mail:
        return False
    commenter, _ = Commenter.objects.get_or_create(
        email_digest=comment.email_digest,
        defaults={"email_encrypted": encrypt_email(email), "created_at": now},
    )
    # A conditional UPDATE, so two concurrent posts cannot both win the right to mail.
    due = Q(last_mailed_at__isnull=True) | Q(last_mailed_at__lt=now - CONFIRMATION_MAIL_INTERVAL)
    return bool(Commenter.objects.filter(due, pk=commenter.pk).update(last_mailed_at=now))
