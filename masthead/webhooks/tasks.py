"""Webhook jobs (masthead/jobs). `deliver` makes one attempt and schedules the next itself
(services), so the queue's own retries only cover a crash mid-attempt."""

from __future__ import annotations

from masthead.jobs.registry import job


@job(max_attempts=3, backoff=5.0, backoff_cap=60.0)
def deliver(delivery_id: int) -> str:
    from .services import deliver as attempt

    return attempt(delivery_id)


@job(max_attempts=5)
def notify_disabled(subscription_id: int) -> int:
    from .services import notify_disabled as notify

    return notify(subscription_id)
