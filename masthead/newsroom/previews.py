"""Shareable preview links for unpublished articles: signed, expiring, needing no login.

The token is the article id signed with the site's secret key and a timestamp
(`django.core.signing`), so it cannot be forged or altered, and it stops working after
`MASTHEAD_PREVIEW_LINK_MAX_AGE` seconds (default 7 days). Anyone holding the link sees the
article's current text — the point is to send it to a lawyer or a source without an account.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "masthead.newsroom.preview"


def max_age() -> int:
    return getattr(settings, "MASTHEAD_PREVIEW_LINK_MAX_AGE", 7 * 24 * 3600)


def make_token(article) -> str:
    return signing.dumps({"a": article.pk}, salt=_SALT, compress=True)


def preview_path(article) -> str:
    return reverse("newsroom:shared_preview", args=[make_token(article)])


def article_id_from(token: str) -> int | None:
    """The article id the token was made for, or None if forged, altered or expired."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age())
    except signing.BadSignature:  # SignatureExpired is a subclass
        return None
    value = data.get("a") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
