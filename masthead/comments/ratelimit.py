"""Comment posting limits per IP address and per email, on the shared counters of
`masthead.core.ratelimit` (one database row per key per minute, every server counting on it)."""

from __future__ import annotations

from django.conf import settings

from masthead.core import ratelimit

WINDOW_SECONDS = 60


def allow(*, ip: str | None, email_digest: str, now: float) -> bool:
    """Count this post against its IP and email; False when either is over the limit."""
    limit = getattr(settings, "MASTHEAD_COMMENTS_RATE_PER_MINUTE", 5)
    if limit <= 0:
        return True
    counts = []
    if ip:
        counts.append(ratelimit.hit(ratelimit.key("ip", ip), WINDOW_SECONDS, now=now))
    if email_digest:
        counts.append(ratelimit.hit(ratelimit.key("email", email_digest), WINDOW_SECONDS,
                                    now=now))
    return all(c <= limit for c in counts)


def forget_email(email_digest: str) -> int:
    return ratelimit.forget(ratelimit.key("email", email_digest))


def prune(now: float, keep_seconds: int = 3600) -> int:
    return ratelimit.prune(now, keep_seconds)
