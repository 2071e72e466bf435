"""Rate limits shared by every process and server, counted in the database.

`hit(key, window_seconds)` adds one to a fixed window and returns the new count; `allow` turns
that into a yes/no for a limit; `throttle` waits until a global rate (per second) has room, for
senders that must stay under it together (the newsletters' MASTHEAD_NEWSLETTERS_RATE). An
increment is one atomic `UPDATE ... SET count = count + 1`, so concurrent processes never lose
a count; the row of a new window is created under a unique constraint, so two processes
creating it at once both count on the winner's row. Keys made with `key()` are keyed hashes:
a raw IP address or email digest is never stored. Windows are stored as their start in unix
milliseconds, so one `prune` serves every window length. `throttle`, which counts every message
of a mailing, counts in Redis instead when the default cache is Redis (shared by every server,
and no database write per message): `INCR` is atomic there too.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RateBucket

MIN_WINDOW = 0.1  # seconds: the throttle's windows are at least this long


def key(kind: str, value: str) -> str:
    """A bucket key for `value` that does not reveal it (HMAC with the secret key)."""
    secret = settings.SECRET_KEY.encode("utf-8")
    digest = hmac.new(secret, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:48]}"


def window_start(now: float, window_seconds: float) -> int:
    """The start of the window holding `now`, in unix milliseconds."""
    return int((now // window_seconds) * window_seconds * 1000)


def hit(bucket: str, window_seconds: float = 60, *, now: float | None = None) -> int:
    """Count one for `bucket` in the current window; the window's count including this one."""
    window = window_start(time.time() if now is None else now, window_seconds)
    rows = RateBucket.objects.filter(key=bucket, window=window)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateBucket.objects.create(key=bucket, window=window, count=1)
                return 1
        except IntegrityError:  # another process created it first: count on its row
            rows.update(count=F("count") + 1)
    return rows.values_list("count", flat=True)[0]


def allow(bucket: str, limit: int, window_seconds: float = 60, *,
          now: float | None = None) -> bool:
    """Count this attempt; False when it is over `limit` for the window (0 = no limit)."""
    if limit <= 0:
        return True
    return hit(bucket, window_seconds, now=now) <= limit


def throttle(bucket: str, rate: float, *, sleep=time.sleep, clock=time.time) -> float:
    """Wait until one more event fits under `rate` per second across all processes.

    Returns the seconds waited. Fixed windows of about a tenth of a second (`limit` events
    per `limit / rate` seconds, `limit` the smallest whole number making the window at least
    0.1 s; one event per 1/rate seconds below 10 a second): within each window at most its
    share go, so N processes together stay under the rate, and short windows keep a burst at a
    window's edge small. A refused attempt counts too, which only fills the window, never over.
    """
    if rate <= 0:
        return 0.0
    limit = max(1, math.ceil(rate * MIN_WINDOW - 1e-9))
    window = limit / rate
    count = _cache_hit if shared_cache() else hit
    waited = 0.0
    while True:
        now = clock()
        if count(bucket, window, now=now) <= limit:
            return waited
        pause = window_start(now, window) / 1000 + window - now + 0.001
        sleep(pause)
        waited += pause


def shared_cache() -> bool:
    """The default cache is Redis, which every server shares (not the per-process one)."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def _cache_hit(bucket: str, window_seconds: float, *, now: float) -> int:
    from django.core.cache import cache

    name = f"rate:{bucket}:{window_start(now, window_seconds)}"
    cache.add(name, 0, timeout=int(window_seconds) + 60)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr: a new window
        cache.add(name, 1, timeout=int(window_seconds) + 60)
        return 1


def forget(bucket: str) -> int:
    return RateBucket.objects.filter(key=bucket).delete()[0]


def prune(now: float | None = None, keep_seconds: int = 3600) -> int:
    """Delete windows that started more than `keep_seconds` ago."""
    now = time.time() if now is None else now
    return RateBucket.objects.filter(window__lt=int((now - keep_seconds) * 1000)).delete()[0]
