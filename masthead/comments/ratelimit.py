"""Posting rate limits per IP address and per email, shared by every server process.

Counters live in the database (`RateBucket`, one row per key per minute), because the default
cache is per process and a limit that each of N workers counts separately is N times too weak.
An increment is one atomic `UPDATE ... SET count = count + 1`, so concurrent posts never lose a
count. Keys are keyed hashes: a raw IP address is never stored here, and buckets older than an
hour are deleted by the IP-retention job.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RateBucket

WINDOW_SECONDS = 60


def _key(kind: str, value: str) -> str:
    secret = settings.SECRET_KEY.encode("utf-8")
    digest = hmac.new(secret, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:48]}"


def _hit(key: str, window: int) -> int:
    """Add one post to `key` in `window` and return the new count."""
    updated = RateBucket.objects.filter(key=key, window=window).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateBucket.objects.create(key=key, window=window, count=1)
                return 1
        except IntegrityError:  # another process created it first: count on its row
            RateBucket.objects.filter(key=key, window=window).update(count=F("count") + 1)
    return RateBucket.objects.filter(key=key, window=window).values_list("count", flat=True)[0]


def allow(*, ip: str | None, email_digest: str, now: float) -> bool:
    """Count this post against its IP and email; False when either is over the limit."""
    limit = getattr(settings, "MASTHEAD_COMMENTS_RATE_PER_MINUTE", 5)
    if limit <= 0:
        return True
    window = int(now // WINDOW_SECONDS)
    counts = []
    if ip:
        counts.append(_hit(_key("ip", ip), window))
    if email_digest:
        counts.append(_hit(_key("email", email_digest), window))
    return all(c <= limit for c in counts)


def forget_email(email_digest: str) -> int:
    return RateBucket.objects.filter(key=_key("email", email_digest)).delete()[0]


def prune(now: float, keep_seconds: int = 3600) -> int:
    return RateBucket.objects.filter(window__lt=int((now - keep_seconds) // WINDOW_SECONDS)) \
        .delete()[0]
