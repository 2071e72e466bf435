"""Search index jobs (masthead/jobs), enqueued by the signal handlers with the change.

Eager: run by the committing process right after the commit, so a search made just after
publishing finds the story; a worker retries them if that process died first. Both are
idempotent: they read what is visible now.
"""

from __future__ import annotations

from masthead.jobs.registry import job

from . import services


@job(max_attempts=10, backoff=2.0, eager=True)
def sync_articles(ids: list[int]) -> None:
    services.sync_articles(ids)


@job(max_attempts=10, backoff=2.0, eager=True)
def remove_articles(ids: list[int]) -> None:
    services.remove_articles(ids)
