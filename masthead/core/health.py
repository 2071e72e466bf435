"""What `/healthz` and `masthead serve` ask of the services a server depends on.

Each check is a function returning a `Check`; `CHECKS` lists them in order. The database
always; Redis (the shared cache and the page-cache store) when configured. Add a check by
appending to `CHECKS` (the job queue's "oldest queued job" belongs here). Timeouts are short:
a load balancer's health probe must get an answer, not hang with the service it probes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

REDIS_TIMEOUT = 1.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    extra: dict = field(default_factory=dict)


def _timed(name: str, probe) -> Check:
    started = time.perf_counter()
    try:
        extra = probe() or {}
    except Exception as exc:  # noqa: BLE001 - any failure of the service means "down"
        line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return Check(name, False, f"{type(exc).__name__}: {line}"[:300])
    return Check(name, True, extra={"ms": round((time.perf_counter() - started) * 1000, 1),
                                    **extra})


def database() -> Check:
    def probe():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    return _timed("database", probe)


def redis_urls() -> list[str]:
    """Every Redis the settings name, once each (the cache and the page-cache store)."""
    urls = []
    cache = settings.CACHES["default"]
    if "redis" in cache["BACKEND"].lower():
        urls.append(cache["LOCATION"])
    page_cache = getattr(settings, "MASTHEAD_PAGE_CACHE_REDIS_URL", "")
    if page_cache and page_cache not in urls:
        urls.append(page_cache)
    return urls


def redis_checks() -> list[Check]:
    import redis

    def probe(url):
        client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT,
                                      socket_connect_timeout=REDIS_TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()

    urls = redis_urls()
    return [_timed("redis" if len(urls) == 1 else f"redis {i + 1}", lambda u=url: probe(u))
            for i, url in enumerate(urls)]


CHECKS = [lambda: [database()], redis_checks]


def run() -> list[Check]:
    return [check for produce in CHECKS for check in produce()]
