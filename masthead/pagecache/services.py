"""Purging: the page cache's public write functions (other apps may call these).

`purge_keys(keys, paths=())` deletes every stored page carrying one of the surrogate keys
(the scheme is in `masthead/core/surrogate.py`) and the pages at `paths`, then tells the CDN
hook. It enqueues a durable job (`tasks.purge`) in the current transaction: the job exists
exactly when the change committed, runs right after the commit in the committing process (so
a purge never precedes the change it announces: a reader arriving in between would otherwise
re-cache the old state), and is retried by the workers until the store and the CDN take it, so
a Redis outage leaves no stale page behind once Redis is back.

Examples: a site-setting change calls `purge_keys(["site"])`; a new related list for
article 12 calls `purge_keys(["page:12"])`.
"""

from __future__ import annotations

import logging

from masthead.jobs.registry import enqueue

from . import cdn, tasks
from .stores import get_store

log = logging.getLogger("masthead.pagecache")


def purge_keys(keys, paths=()) -> None:
    keys = sorted({k for k in keys if k})
    paths = sorted({p for p in paths if p})
    if keys or paths:
        enqueue(tasks.purge, keys, paths)


def purge_now(keys, paths=()) -> set[str]:
    """Purge immediately (callers outside a transaction, the CLI, tests)."""
    purged: set[str] = set()
    try:
        purged = get_store().purge(keys, paths)
    except Exception:  # noqa: BLE001 - the change is committed; log loudly, never undo it
        log.exception("page cache purge failed for keys %s", keys[:20])
    log.info("purged %d page(s) for %d key(s)", len(purged), len(keys))
    try:
        cdn.notify(keys, paths)
    except cdn.CdnPurgeFailed:
        pass  # logged by cdn; the CLI's caller sees the log line
    return purged


def clear() -> None:
    """Drop every stored page (after a deploy that changes templates)."""
    get_store().clear()
    cdn.notify(["site"], [])
