"""The scheduled-publication job (masthead/jobs): enqueued by `services.save_article` with a
`run_after` of the article's publication time, so it goes live on time with its follow-ups.

Safe to run early, late or twice: `publish_due_articles` flips only what is due, and exactly
one caller wins each article.
"""

from __future__ import annotations

from masthead.jobs.registry import job


@job(max_attempts=20, backoff=1.0, backoff_cap=30.0)
def publish_due() -> list[int]:
    from .services import publish_due_articles

    return publish_due_articles()
