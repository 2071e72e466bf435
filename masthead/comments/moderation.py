"""Moderation: every change of a comment's state, for the newsroom queue and the CLI alike.

`moderate(ids, action, user=...)` is the one place a comment moves between pending, approved,
spam and trash; the queue's bulk actions and `masthead comments approve|spam|trash` both call
it, so they behave identically: same permission check, one transaction, `moderated_at/by`
recorded (an approve/spam by a person is a lesson for the spam filter), and
`comment_status_changed` sent after commit for each comment whose state changed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from . import signals
from .forms import MAX_BODY, MAX_NAME, MAX_URL, scrub
from .models import Comment

ACTIONS = {
    "approve": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "pending": Comment.Status.PENDING,  # "unapprove", or restore from spam/trash
}
# Decisions the spam filter learns from: approve = not spam, spam = spam.
LEARNING_ACTIONS = {"approve", "spam"}
SORTS = {
    # Likeliest good first, so moderators clear real readers quickly; unscored (imported) last.
    "score": (F("spam_score").asc(nulls_last=True), F("created_at").desc(), F("id").desc()),
    "-score": (F("spam_score").desc(nulls_last=True), F("created_at").desc(), F("id").desc()),
    "newest": (F("created_at").desc(), F("id").desc()),
    "oldest": (F("created_at").asc(), F("id").asc()),
}


class ModerationError(ValueError):
    """A moderation request that cannot be carried out; the message is shown as is."""


def can_moderate(user) -> bool:
    return bool(user and user.is_active and user.has_perm("comments.moderate_comment"))


def _check(user) -> None:
    # `user=None` is the operator at the command line, who already controls the server.
    if user is not None and not can_moderate(user):
        raise PermissionDenied("You cannot moderate comments.")


def _announce(comment: Comment, old_status: str) -> None:
    # Inside the transaction: receivers enqueue their follow-ups in it (masthead/jobs).
    signals.comment_status_changed.send(sender=Comment, comment=comment, old_status=old_status)


def moderate(ids, action: str, *, user=None, now=None, decision: bool = True) -> list[Comment]:
    """Apply `action` to the comments `ids`; all or none. Returns the comments changed.

    `decision=False` is for state changes no person judged (a commenter confirming their own
    address): they are not taught to the spam filter.
    """
    if action not in ACTIONS:
        raise ModerationError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    _check(user)
    ids = list(dict.fromkeys(int(i) for i in ids))
    now = now or timezone.now()
    status = ACTIONS[action]
    with transaction.atomic():
        comments = list(
            Comment.objects.select_for_update(of=("self",)).select_related("article")
            .filter(pk__in=ids)
        )
        missing = sorted(set(ids) - {c.pk for c in comments})
        if missing:
            raise ModerationError(f"no comment with id {', '.join(map(str, missing))}")
        changed = []
        for comment in comments:
            old = comment.status
            learned = decision and action in LEARNING_ACTIONS and (
                old != status or not comment.moderated_at)
            if old == status and not learned:
                continue
            comment.status = status
            if status != Comment.Status.PENDING:
                comment.hold_reason = ""
            if learned:
                comment.moderated_at, comment.moderated_by = now, user
            changed.append((comment, old))
        Comment.objects.bulk_update(
            [c for c, _ in changed], ["status", "hold_reason", "moderated_at", "moderated_by"]
        )
        for comment, old in changed:
            if old != comment.status:
                _announce(comment, old)
    return [c for c, old in changed if old != c.status]


def approve_comments(ids, *, user=None):
    return moderate(ids, "approve", user=user)


def spam_comments(ids, *, user=None):
    return moderate(ids, "spam", user=user)


def trash_comments(ids, *, user=None):
    return moderate(ids, "trash", user=user)


def edit_comment(comment: Comment, *, author_name: str, author_url: str, body: str,
                 user=None) -> Comment:
    _check(user)
    author_name, body = scrub(author_name).strip(), scrub(body).strip()
    author_url = author_url.strip()
    if not author_name or len(author_name) > MAX_NAME:
        raise ModerationError(f"The name must be 1 to {MAX_NAME} characters.")
    if not body or len(body) > MAX_BODY:
        raise ModerationError(f"The comment must be 1 to {MAX_BODY:,} characters.")
    if author_url and (len(author_url) > MAX_URL
                       or not author_url.startswith(("http://", "https://"))):
        raise ModerationError("The website must start with http:// or https:// "
                              f"and be at most {MAX_URL} characters.")
    with transaction.atomic():
        comment.author_name, comment.author_url, comment.body = author_name, author_url, body
        comment.edited_at = timezone.now()
        comment.save(update_fields=["author_name", "author_url", "body", "edited_at"])
        _announce(comment, comment.status)
    return comment


def reply_as_staff(parent: Comment, body: str, *, user) -> Comment:
    """A staff reply, published at once; replying to a held comment approves it first."""
    _check(user)
    body = scrub(body).strip()
    if not body or len(body) > MAX_BODY:
        raise ModerationError(f"The reply must be 1 to {MAX_BODY:,} characters.")
    if parent.status in (Comment.Status.SPAM, Comment.Status.TRASH):
        raise ModerationError("Restore or approve this comment before replying to it.")
    name = (user.get_full_name() or user.get_username())[:MAX_NAME]
    with transaction.atomic():
        if parent.status == Comment.Status.PENDING:
            moderate([parent.pk], "approve", user=user)
        reply = Comment.objects.create(
            article=parent.article, parent=parent, depth=parent.depth + 1, author_name=name,
            body=body, status=Comment.Status.APPROVED, user=user, created_at=timezone.now(),
        )
        signals.comment_posted.send(sender=Comment, comment=reply)
    return reply


def queue_counts() -> dict[str, int]:
    """Comments per state, e.g. `{"pending": 3, "approved": 120, "spam": 9, "trash": 0}`."""
    counts = {s.value: 0 for s in Comment.Status}
    rows = Comment.objects.order_by().values_list("status").annotate(n=Count("id"))
    counts.update({status: n for status, n in rows})
    return counts


def queue(status: str | None = Comment.Status.PENDING, *, search: str = "",
          article_id: int | None = None, sort: str = ""):
    """The moderation list: filtered, ordered by spam score (pending) or time (others)."""
    qs = Comment.objects.select_related("article", "parent", "user")
    if status:
        qs = qs.filter(status=status)
    if article_id:
        qs = qs.filter(article_id=article_id)
    if search:
        qs = qs.filter(Q(author_name__icontains=search) | Q(body__icontains=search))
    if sort not in SORTS:
        sort = "score" if status == Comment.Status.PENDING else "newest"
    return qs.order_by(*SORTS[sort])
