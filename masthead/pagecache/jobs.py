"""Background job: delete stored page files older than MASTHEAD_PAGE_CACHE_MAX_AGE.

The fast path already ignores such pages; this removes them from disk so that nginx, which
cannot read a page's age, stops serving them too (at most one job interval later). The Redis
store needs no sweep: its pages carry the same age as a TTL. Safe in several processes at
once: deleting a file twice is harmless.
"""

from __future__ import annotations

import time

from .stores import get_store, max_age
from .stores.files import FileStore


def expire_old_pages() -> int:
    store = get_store()
    limit = max_age()
    if not isinstance(store, FileStore) or limit <= 0:
        return 0
    return store.expire(time.time() - limit)

