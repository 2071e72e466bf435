"""Who is asking: `Authorization: Bearer KEY`, checked on every request that carries one.

- `ContentAuth`: the Content API is public (it shows what the site already shows), so no key
  is needed; a key that is sent must be live, or the answer is 401 — a revoked key never
  quietly works. Either kind of key may read.
- `AdminAuth`: an Admin key of a live integration; the request then acts as the integration's
  service account (`request.auth.integration.user`), which the newsroom's policy judges.
- `check_rate`: per-key rate limits in Django's cache (shared when the cache is Redis), 429
  with `Retry-After`. Keyless reads are the public site, served from the page cache.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from masthead.integrations import services as integrations
from masthead.integrations.models import ApiKey


class Anonymous:
    """The principal of a keyless Content API read."""

    integration = None
    kind = None
    pk = None

    def __bool__(self):
        return True


ANONYMOUS = Anonymous()


def _bearer(request) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError(message="Use 'Authorization: Bearer KEY'.")
    return token.strip()


class ContentAuth(HttpBearer):
    """Content key (optional)."""

    openapi_description = "A Content API key (or an Admin key). Optional: without one, the " \
        "same public content is served, from the page cache."

    def __call__(self, request):
        token = _bearer(request)
        if token is None:
            return ANONYMOUS
        key = integrations.authenticate(token)
        if key is None:
            raise AuthenticationError(message="This key is not valid or has been revoked.")
        check_rate(key)
        return key

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return None


class AdminAuth(HttpBearer):
    """Admin key (required)."""

    openapi_description = "An Admin API key: acts with its integration's newsroom role."

    def __call__(self, request):
        request.api_admin = True  # an Admin API answer, even a refusal: no CORS (middleware)
        token = _bearer(request)
        if token is None:
            raise AuthenticationError(message="This operation needs an Admin API key.")
        key = integrations.authenticate(token)
        if key is None:
            raise AuthenticationError(message="This key is not valid or has been revoked.")
        if key.kind != ApiKey.Kind.ADMIN:
            raise HttpError(403, "A Content API key cannot change anything; use the Admin key.")
        check_rate(key)
        return key

    def authenticate(self, request, token):  # pragma: no cover
        return None


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"Too many requests for this key; retry in {retry_after} s.")


def check_rate(key: ApiKey, now: float | None = None) -> None:
    """A fixed one-minute window per key, counted with the cache's atomic `incr`.

    Not ninja's throttle classes: they keep per-request state on a shared instance (unsafe
    under granian's threads) and rewrite a list per request; `add` + `incr` is one round trip
    on Redis and atomic on every Django cache backend.
    """
    per_minute = (settings.MASTHEAD_API_RATE_ADMIN if key.kind == ApiKey.Kind.ADMIN
                  else settings.MASTHEAD_API_RATE_CONTENT)
    if per_minute <= 0:
        return
    now = time.time() if now is None else now
    window = int(now // 60)
    name = f"masthead:api-rate:{key.digest[:24]}:{window}"
    cache.add(name, 0, timeout=120)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr: this is the window's first request
        cache.set(name, 1, timeout=120)
        count = 1
    if count > per_minute:
        raise RateLimited(max(1, math.ceil((window + 1) * 60 - now)))
