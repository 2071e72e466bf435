"""The fast path: a WSGI wrapper that answers page-cache hits before Django is involved.

`masthead/wsgi.py` wraps Django's application in `PageCacheApp`. For a candidate request
(policy.cache_path) with a stored page it answers 200 or 304 from the store: no request
object, no middleware, no URL resolving, no database connection, no signals. Everything else,
including every miss and every page older than MASTHEAD_PAGE_CACHE_MAX_AGE, goes to Django
unchanged. A Content API read with a key is served a stored answer only after the key is
checked (`policy.authoriser`: one indexed look-up and the rate-limit count); a key that does
not pass goes to Django, which refuses it. On a candidate's miss the wrapper takes the store's
token (stores/base.py) and marks the environ, and `middleware.PageCacheMiddleware` stores the
response if it may be stored; without the wrapper (Django's test client, a bare WSGI server)
nothing is stored, since nothing would serve it. A store that fails (Redis down, disk full)
degrades to misses. A hit is sent compressed when the client accepts it, from bytes compressed
when it was stored.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import close_old_connections

from . import policy
from .stores import get_store, max_age

log = logging.getLogger("masthead.pagecache")

# Set in the environ of a miss that may be stored (read by middleware.PageCacheMiddleware).
PATH = "masthead.pagecache.path"
STARTED = "masthead.pagecache.started"


class PageCacheApp:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if settings.MASTHEAD_PAGE_CACHE:
            path = policy.cache_path(environ)
            if path is not None and policy.host_allowed(environ):
                try:
                    entry = get_store().get(path)
                except Exception:  # noqa: BLE001 - a broken cache must not break the site
                    log.exception("page cache lookup failed for %s", path)
                    entry = None
                if entry is not None and not entry.expired(time.time(), max_age()):
                    if environ.get("HTTP_AUTHORIZATION") and not self._authorised(environ):
                        return self.application(environ, start_response)  # 401 or 429
                    if entry.not_modified(environ):
                        start_response("304 Not Modified", entry.head_304)
                        return [b""]
                    head, body = entry.variant(environ.get("HTTP_ACCEPT_ENCODING"))
                    start_response("200 OK", head)
                    if environ["REQUEST_METHOD"] == "HEAD":
                        return [b""]
                    return [body]
                if environ["REQUEST_METHOD"] == "GET":
                    self._mark_miss(environ, path)
        return self.application(environ, start_response)

    @staticmethod
    def _authorised(environ) -> bool:
        """The API key of a keyed candidate, checked before a stored answer is served (a
        revoked key never reads from the cache). The check reads the database, so its
        connection is handled as Django handles a request's: closed if it is too old."""
        close_old_connections()
        try:
            return policy.authoriser()(environ)
        except Exception:  # noqa: BLE001 - unsure: let Django check the key and answer
            log.exception("page cache: the key check failed")
            return False
        finally:
            close_old_connections()

    @staticmethod
    def _mark_miss(environ, path: str) -> None:
        """Tell the middleware to store this page, with a token taken before Django runs."""
        try:
            environ[STARTED] = get_store().begin()
        except Exception:  # noqa: BLE001
            log.exception("page cache unavailable")
            return
        environ[PATH] = path
