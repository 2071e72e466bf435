"""Page stores behind one small interface (`base.PageStore`), chosen by settings.

`files` (default): bodies in MASTHEAD_PAGE_CACHE_DIR, servable by nginx, index in the database.
`redis`: pages and index in Redis, for several servers sharing one cache.
"""

from __future__ import annotations

import threading

from django.conf import settings

from .base import PageStore

_lock = threading.Lock()
_store: PageStore | None = None


def store_name() -> str:
    chosen = getattr(settings, "MASTHEAD_PAGE_CACHE_STORE", "") or ""
    if chosen:
        return chosen
    return "redis" if getattr(settings, "MASTHEAD_PAGE_CACHE_REDIS_URL", "") else "files"


def max_age() -> int:
    return getattr(settings, "MASTHEAD_PAGE_CACHE_MAX_AGE", 12 * 3600)


def _build() -> PageStore:
    name = store_name()
    if name == "files":
        from .files import FileStore

        memory = getattr(settings, "MASTHEAD_PAGE_CACHE_MEMORY_MB", 8) * 1024 * 1024
        return FileStore(settings.MASTHEAD_PAGE_CACHE_DIR, memory_bytes=memory)
    if name == "redis":
        from .redis_store import RedisStore

        url = getattr(settings, "MASTHEAD_PAGE_CACHE_REDIS_URL", "")
        if not url:
            raise ValueError("MASTHEAD_PAGE_CACHE_STORE=redis needs MASTHEAD_CACHE_URL "
                             "or MASTHEAD_PAGE_CACHE_REDIS_URL")
        return RedisStore(url, getattr(settings, "MASTHEAD_PAGE_CACHE_REDIS_PREFIX",
                                       "masthead:pc:"),
                          max_age())
    raise ValueError(f"MASTHEAD_PAGE_CACHE_STORE: unknown store {name!r} (files or redis)")


def get_store() -> PageStore:
    """The process's store object (it holds no page data that another process could change
    without it noticing: see files.py and redis_store.py)."""
    global _store
    store = _store
    if store is None:
        with _lock:
            if _store is None:
                _store = _build()
            store = _store
    return store


def reset(**kwargs) -> None:
    """Forget the store object; connected to `setting_changed` for tests."""
    global _store
    with _lock:
        _store = None
