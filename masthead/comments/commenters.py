"""What a commenter can ask of us, by email address: confirm it, stop mails, see or erase data.

- `confirm_address(token)`: the signed link mailed to an address. Proves the reader owns it:
  the address becomes confirmed (reply notifications may now be mailed to it), and a comment
  held only because a known address came from an unknown browser is published. The link is
  bound to the address by a hash keyed with the secret key, not to the ring's digest, so it
  survives `masthead keys rotate`.
- `unsubscribe(token)`: one-click stop of every reply notification to that address (the link
  names a comment, so it survives `masthead keys rotate`, which changes digests).
- `export_commenter(email)` / `erase_commenter(email)`: `masthead comments export|erase`.
- `forget_ip_addresses()`: drop IP addresses older than the retention period.

Look-ups go through the keyed digest; the address itself is only decrypted for the export.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import ratelimit, signals, tokens
from .models import Comment, Commenter
from .moderation import ModerationError, moderate
from .posting import REASON_CONFIRM
from .privacy import decrypt_email, email_digest, normalise_email

ERASED_NAME = "[deleted]"
ERASED_BODY = "[This comment was removed at its author's request.]"


@dataclass
class Confirmation:
    comment: Comment
    published: bool


def confirm_address(token: str, *, now=None) -> Confirmation:
    parsed = tokens.read_confirm_token(token)
    comment = None
    if parsed:
        comment = Comment.objects.select_related("article").filter(pk=parsed[0]).first()
    if comment is None or not comment.email_digest or not _link_matches(comment, *parsed[1:]):
        raise ModerationError("This confirmation link is not valid or has expired.")
    now = now or timezone.now()
    published = False
    with transaction.atomic():
        commenter, _ = Commenter.objects.get_or_create(
            email_digest=comment.email_digest,
            defaults={"email_encrypted": comment.email_encrypted, "created_at": now},
        )
        if commenter.confirmed_at is None:
            commenter.confirmed_at = now
            commenter.save(update_fields=["confirmed_at"])
        # Publish only what was held for want of this proof, never what the filter doubted.
        if (comment.status == Comment.Status.PENDING and comment.hold_reason == REASON_CONFIRM
                and comment.spam_verdict == "ham"):
            moderate([comment.pk], "approve", now=now, decision=False)
            comment.refresh_from_db(fields=["status", "hold_reason"])
            published = True
    return Confirmation(comment, published)


def _link_matches(comment: Comment, kind: str, value: str) -> bool:
    """Does the comment still carry the address the link was mailed to?"""
    if kind == "digest":  # a link from before rotation-proof links: valid until a rotation
        return comment.email_digest.startswith(value)
    email = decrypt_email(comment.email_encrypted)
    return bool(email) and tokens.address_matches(normalise_email(email), value)


def unsubscribe(token: str) -> int:
    parsed = tokens.read_unsubscribe_token(token)
    if not parsed:
        raise ModerationError("This unsubscribe link is not valid.")
    kind, value = parsed
    digest = value if kind == "digest" else (
        Comment.objects.filter(pk=value).values_list("email_digest", flat=True).first())
    # An erased comment has no digest left: nothing to stop, and nothing else to touch.
    return Comment.objects.by_email_digest(digest or "").filter(notify_replies=True) \
        .update(notify_replies=False)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_commenter(email: str) -> dict:
    """Everything stored about one address, as the commenter would be given it."""
    digest = email_digest(email)
    commenter = Commenter.objects.filter(email_digest=digest).first()
    comments = Comment.objects.by_email_digest(digest).select_related("article") \
        .order_by("created_at", "id")
    return {
        "email": normalise_email(email),
        "address_confirmed_at": _iso(commenter.confirmed_at) if commenter else None,
        "comments": [
            {
                "id": c.pk,
                "article": c.article_id,
                "article_title": c.article.headline,
                "article_url": settings.SITE_URL + c.article.get_absolute_url(),
                "parent": c.parent_id,
                "author": c.author_name,
                "email": decrypt_email(c.email_encrypted),
                "url": c.author_url,
                "body": c.body,
                "status": c.status,
                "created_at": _iso(c.created_at),
                "ip_address": c.ip_address,
                "reply_notifications": c.notify_replies,
            }
            for c in comments
        ],
    }


@dataclass
class Erasure:
    deleted: int
    anonymised: int


def erase_commenter(email: str) -> Erasure:
    """Delete an address's comments; those others replied to keep their place, emptied."""
    digest = email_digest(email)
    if not digest:
        raise ModerationError("an email address is needed")
    with transaction.atomic():
        comments = list(Comment.objects.by_email_digest(digest).select_related("article"))
        ids = [c.pk for c in comments]
        answered = set(
            Comment.objects.filter(parent_id__in=ids).exclude(pk__in=ids)
            .values_list("parent_id", flat=True)
        )
        keep = [c for c in comments if c.pk in answered]
        gone = [c for c in comments if c.pk not in answered]
        Comment.objects.filter(pk__in=[c.pk for c in keep]).update(
            author_name=ERASED_NAME, author_url="", body=ERASED_BODY, email_encrypted="",
            email_digest="", ip_address=None, notify_replies=False, submission_key="",
            external_key="", edited_at=timezone.now(),
        )
        # Own replies to own comments go with them; replies by others were kept above.
        Comment.objects.filter(pk__in=[c.pk for c in gone]).delete()
        Commenter.objects.filter(email_digest=digest).delete()
        ratelimit.forget_email(digest)
        for comment in comments:
            signals.comment_status_changed.send(sender=Comment, comment=comment,
                                                old_status=comment.status)
    return Erasure(deleted=len(gone), anonymised=len(keep))


def forget_ip_addresses(days: int | None = None, *, now=None) -> int:
    """Drop IP addresses of comments older than `days` (default: the configured retention)."""
    if days is None:
        days = getattr(settings, "MASTHEAD_COMMENTS_IP_RETENTION_DAYS", 30)
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=max(0, days))
    forgotten = Comment.objects.filter(ip_address__isnull=False, created_at__lt=cutoff) \
        .update(ip_address=None)
    ratelimit.prune(now.timestamp())
    return forgotten
