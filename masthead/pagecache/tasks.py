"""The purge job (masthead/jobs): enqueued by `services.purge_keys` with the change it follows.

Retried until it succeeds: a purge lost to a store or CDN outage would leave every server
serving the old page for up to MASTHEAD_PAGE_CACHE_MAX_AGE. Purging twice is harmless.
"""

from __future__ import annotations

import logging

from masthead.jobs.registry import job

from . import cdn
from .stores import get_store

log = logging.getLogger("masthead.pagecache")


@job(max_attempts=None, backoff=1.0, backoff_cap=60.0, eager=True)
def purge(keys: list[str], paths: list[str]) -> int:
    purged = get_store().purge(keys, paths)  # raises while the store is down: retried
    log.info("purged %d page(s) for %d key(s)", len(purged), len(keys))
    cdn.notify(keys, paths)  # raises CdnPurgeFailed: retried (the store purge again is harmless)
    return len(purged)
