"""Purging: the page cache's public write functions (other apps may call these).

`purge_keys(keys, paths=())` deletes every stored page carrying one of the surrogate keys
(the scheme is in `masthead/core/surrogate.py`) and the pages at `paths`, then tells the CDN
hook. It runs after the current transaction commits, so a purge never precedes the change it
announces (a reader arriving in between would otherwise re-cache the old state).

Examples: a site-setting change calls `purge_keys(["site"])`; a new related list for
article 12 calls `purge_keys(["page:12"])`.
"""

from __future__ import annotations

import logging

from django.db import transaction

from . import cdn
from .stores import get_store

log = logging.getLogger("masthead.pagecache")


def purge_keys(keys, paths=()) -> None:
    keys = sorted({k for k in keys if k})
    paths = sorted({p for p in paths if p})
    if keys or paths:
        transaction.on_commit(lambda: purge_now(keys, paths))


def purge_now(keys, paths=()) -> set[str]:
    """Purge immediately (callers outside a transaction, the CLI, tests)."""
    purged: set[str] = set()
    try:
        purged = get_store().purge(keys, paths)
    except Exception:  # noqa: BLE001 - the change is committed; log loudly, never undo it
        log.exception("page cache purge failed for keys %s", keys[:20])
    log.info("purged %d page(s) for %d key(s)", len(purged), len(keys))
    cdn.notify(keys, paths)
    return purged


def clear() -> None:
    """Drop every stored page (after a deploy that changes templates)."""
    get_store().clear()
    cdn.notify(["site"], [])
