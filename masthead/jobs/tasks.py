"""The queue's own job: `ping`, which proves a worker is taking jobs (`masthead jobs ping`,
`masthead check --deploy`, and the queue benchmark's latency probe)."""

from __future__ import annotations

from masthead.jobs.registry import job


@job(max_attempts=1)
def ping() -> str:
    return "pong"
