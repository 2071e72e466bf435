"""Background job: delete stored page files older than MASTHEAD_PAGE_CACHE_MAX_AGE, and, on
its first run in a process (so when a server starts), temporary files that a process which
died mid-write left behind (issue 15).

The fast path already ignores such pages; this removes them from disk so that nginx, which
cannot read a page's age, stops serving them too (at most one job interval later). The Redis
store needs no sweep: its pages carry the same age as a TTL. Safe in several processes at
once: deleting a file twice is harmless.
"""

from __future__ import annotations

import logging
import time

from .stores import get_store, max_age
from .stores.files import FileStore

log = logging.getLogger("masthead.pagecache")


_swept = False


def expire_old_pages() -> int:
    global _swept
    store = get_store()
    if not isinstance(store, FileStore):
        return 0
    if not _swept:
        removed = store.remove_stale_temp_files()
        _swept = True
        if removed:
            log.warning("page cache: removed %d stale temporary file(s)", removed)
    limit = max_age()
    if limit <= 0:
        return 0
    return store.expire(time.time() - limit)

