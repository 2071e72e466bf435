"""Search index jobs (masthead/jobs), enqueued by the signal handlers with the change.

Eager: run by the committing process right after the commit, so a search made just after
publishing finds the story; a worker retries them if that process died first. Both are
idempotent: they read what is visible now.
"""

from __future__ import annotations

from masthead.jobs.registry import job

from . import services

# After an import (signal_handlers.on_bulk_import_finished): up to EAGER_SYNC_MAX articles are
# synced by the importing process; more, and at least REBUILD_SHARE of all articles, by one
# rebuild; more but fewer, by sync jobs of EAGER_SYNC_MAX articles for the workers.
EAGER_SYNC_MAX = 10_000
REBUILD_SHARE = 0.5


@job(max_attempts=10, backoff=2.0, eager=True)
def sync_articles(ids: list[int]) -> None:
    services.sync_articles(ids)


@job(max_attempts=10, backoff=2.0, eager=True)
def remove_articles(ids: list[int]) -> None:
    services.remove_articles(ids)


@job(max_attempts=10, backoff=2.0)
def sync_articles_later(ids: list[int]) -> None:
    """`sync_articles` for a worker: part of a large import's indexing."""
    services.sync_articles(ids)


@job(max_attempts=3, backoff=60.0)
def rebuild_index() -> None:
    """The bulk build after a large import; not eager: a worker runs it, so the import ends
    when its data is in, and search finds the new articles when the build is done."""
    services.rebuild_index()
