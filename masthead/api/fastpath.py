"""The page cache's key check for Content API reads (settings.MASTHEAD_PAGE_CACHE_AUTHORISER).

A keyed read of a stored answer is served by the page cache's WSGI fast path without Django's
request handling, but only once this says the key may read: it is a live Content or Admin key
of a live integration (the same look-up as `auth.ContentAuth`, so a revoked key is refused
the moment it is revoked, cached answer or not) and within its rate limit (counted here, as
Django would count it). False sends the request to Django, which answers 401 or 429.
"""

from __future__ import annotations

from masthead.integrations import services as integrations

from .auth import RateLimited, check_rate


def authorise(environ) -> bool:
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    key = integrations.authenticate(token.strip())
    if key is None:
        return False
    try:
        check_rate(key)
    except RateLimited:
        return False  # Django counts it once more and answers 429 with Retry-After
    return True
