"""The newsletters app's jobs (masthead/jobs): each takes row ids, never an address."""

from __future__ import annotations

from masthead.jobs.registry import job


@job(max_attempts=5, backoff=30.0)
def send_confirmation(subscriber_id: int) -> None:
    from . import confirmations

    confirmations.send(subscriber_id)


@job(max_attempts=3, backoff=10.0)
def start_issue(issue_id: int) -> None:
    from . import services

    services.start_scheduled(issue_id)


# Retried with backoff for temporary SMTP failures (4xx, a dropped connection); every run only
# sends the rows still pending, so a retry never repeats a copy (delivery.py).
@job(max_attempts=10, backoff=30.0, backoff_cap=1800.0)
def send_batch(issue_id: int, batch: int) -> dict:
    from . import delivery

    return delivery.send_batch(issue_id, batch)


# Safe to run twice or on two servers at once: Issue.article is unique per newsletter.
@job(max_attempts=5, backoff=10.0)
def send_article(article_id: int) -> list[int]:
    from . import article_mail

    return article_mail.send_article(article_id)
