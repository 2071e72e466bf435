"""Stores what Django rendered on a miss, and gives every public page its validators.

Installed first in MIDDLEWARE, so it sees the final response, cookies and `Vary` included
(the CSRF and session middleware add those *after* the view). For every public 200 GET that
carries surrogate keys it adds `Surrogate-Key` (Fastly, Varnish) and `Cache-Tag` (Cloudflare)
and an `ETag`, and answers a matching conditional request with 304. When the fast path marked
the request as a candidate's miss (wsgi.py) and the response passes `policy.refusal`, it also
adds `Last-Modified` and stores the page under the token the fast path took *before* Django
ran (stores/base.py).

`X-Cache` says what happened: HIT (answered by the fast path), MISS (rendered and stored) or
BYPASS (rendered, not stored; with the reason when a candidate's response was refused).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.http import parse_http_date_safe

from masthead.core import surrogate

from . import policy
from .entry import Entry, etag_for, not_modified
from .stores import get_store
from .wsgi import PATH, STARTED

log = logging.getLogger("masthead.pagecache")

_COPIED_TO_304 = ("Cache-Control", "ETag", "Last-Modified", "Vary", "Expires", "X-Cache")


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        enabled = settings.MASTHEAD_PAGE_CACHE
        path = request.META.get(PATH) if enabled else None
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return response
        keys = surrogate.keys_of(request)
        if not keys or response.status_code != 200 or response.streaming \
                or not policy.is_public(response):
            if enabled:
                response["X-Cache"] = "BYPASS"
            return response

        ordered = sorted(keys)
        response[surrogate.HEADER] = " ".join(ordered)
        response["Cache-Tag"] = ",".join(ordered)
        if path is not None:
            reason = policy.refusal(request, response, path, keys)
            if reason is None:
                stored = self._store(response, path, keys, request.META[STARTED])
                response["X-Cache"] = "MISS" if stored else "BYPASS (purged while rendering)"
            else:
                response["X-Cache"] = f"BYPASS ({reason})"
        elif enabled:
            response["X-Cache"] = "BYPASS"
        if not response.has_header("ETag"):
            response["ETag"] = etag_for(response.content)
        return self._conditional(request, response)

    @staticmethod
    def _store(response, path, keys, token) -> bool:
        entry = Entry.from_response(path, response, keys, policy.extension(response))
        try:
            return get_store().put(entry, token)
        except Exception:  # noqa: BLE001
            log.exception("page cache could not store %s", path)
            return False

    @staticmethod
    def _conditional(request, response):
        last_modified = None
        if response.has_header("Last-Modified"):
            last_modified = parse_http_date_safe(response["Last-Modified"])
        if not not_modified(request.META, response["ETag"], last_modified):
            return response
        reply = HttpResponseNotModified()
        for name in _COPIED_TO_304:
            if response.has_header(name):
                reply[name] = response[name]
        return reply
