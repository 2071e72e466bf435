"""Shareable preview links for unpublished articles: signed, expiring, revocable, no login.

The token is the article id and the version of the article's links, signed with the site's
secret key and a timestamp (`django.core.signing`), so it cannot be forged or altered, and it
stops working after `MASTHEAD_PREVIEW_LINK_MAX_AGE` seconds (default
7 days). Anyone holding the link sees the article's current text — the point is to send it to
a lawyer or a source without an account. Sent to the wrong person, it can be revoked: `revoke`
raises the article's version (models.PreviewLinks), and a token whose version is not the
current one is refused (issue 15). Tokens made before versions existed count as version 0.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from .models import PreviewLinks

_SALT = "masthead.newsroom.preview"


def max_age() -> int:
    return getattr(settings, "MASTHEAD_PREVIEW_LINK_MAX_AGE", 7 * 24 * 3600)


def current_version(article_id: int) -> int:
    version = PreviewLinks.objects.filter(article_id=article_id).values_list(
        "version", flat=True).first()
    return version or 0


def make_token(article) -> str:
    return signing.dumps({"a": article.pk, "v": current_version(article.pk)}, salt=_SALT,
                         compress=True)


def preview_path(article) -> str:
    return reverse("newsroom:shared_preview", args=[make_token(article)])


def expires_at(made_at: dt.datetime | None = None) -> dt.datetime:
    """When a link made at `made_at` (default: now) stops working."""
    return (made_at or timezone.now()) + dt.timedelta(seconds=max_age())


def read(token: str) -> tuple[int, dt.datetime] | None:
    """(article id, expiry) of a valid token; None if forged, altered, expired or revoked."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age())
    except signing.BadSignature:  # SignatureExpired is a subclass
        return None
    if not isinstance(data, dict):
        return None
    article_id, version = data.get("a"), data.get("v", 0)
    if not isinstance(article_id, int) or not isinstance(version, int):
        return None
    if version != current_version(article_id):
        return None
    # "payload:timestamp:signature", just verified by loads(): the timestamp is when it was made.
    made = signing.b62_decode(token.rsplit(":", 2)[1])
    return article_id, expires_at(dt.datetime.fromtimestamp(made, dt.UTC))


def article_id_from(token: str) -> int | None:
    """The article id the token was made for, or None if it no longer opens anything."""
    found = read(token)
    return found[0] if found else None


def revoked_at(article) -> dt.datetime | None:
    return PreviewLinks.objects.filter(article_id=article.pk).values_list(
        "revoked_at", flat=True).first()


@transaction.atomic
def revoke(article) -> int:
    """Make every preview link of `article` made so far stop working; returns the new version.
    (Permission is the caller's: newsroom.services.revoke_preview_links.)"""
    PreviewLinks.objects.get_or_create(article=article)
    PreviewLinks.objects.filter(article=article).update(version=F("version") + 1,
                                                        revoked_at=timezone.now())
    return current_version(article.pk)
