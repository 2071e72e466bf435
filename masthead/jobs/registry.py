"""Declaring jobs (`job`) and enqueueing them in the caller's transaction (`enqueue`).

A job is a django-tasks `Task` plus a `Policy` (policies.py): how many attempts, how the wait
between them grows, and whether the committing process runs it itself right after the commit
(`eager`).
`enqueue` writes the row through the engine, inside whatever transaction the caller is in, and
asks for an after-commit hook that either runs the job at once (eager jobs, and every job when
settings.MASTHEAD_JOBS_EAGER is "all", as in the test suite) or leaves it to the workers.

Job arguments are stored as JSON in the queue table, which operators can read: never pass a
private value (an email address) as an argument; pass the id of the row that holds it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django_tasks import task as engine_task

from .policies import Policy, policy_for, register

log = logging.getLogger("masthead.jobs")
CHANNEL = "masthead_jobs"  # PostgreSQL LISTEN/NOTIFY channel that wakes idle workers


def job(*, max_attempts: int | None = 8, backoff: float = 2.0, backoff_cap: float = 600.0,
        eager: bool = False, priority: int = 0):
    """Decorate a module-level function as a job. Its arguments must be JSON values."""

    def wrap(func):
        task = engine_task(func, priority=priority)
        register(task.module_path, Policy(max_attempts, backoff, backoff_cap, eager))
        return task

    return wrap


def enqueue(task, *args, run_after: dt.datetime | None = None, **kwargs) -> str:
    """Write the job in the current transaction; returns its id."""
    if run_after is not None:
        task = task.using(run_after=run_after)
    result = task.enqueue(*args, **kwargs)
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        # Delivered at commit (and only then), folded into one per transaction: idle workers
        # wake at once instead of at their next poll (worker.Listener).
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
    mode = getattr(settings, "MASTHEAD_JOBS_EAGER", "fast")
    eager = mode == "all" or (mode == "fast" and policy_for(task.module_path).eager)
    if eager and run_after is None:
        from . import running

        # Claimed by this process in the same transaction: no worker can take it between the
        # commit and the run (a worker configured otherwise, or one that would win the race
        # and make the reader wait for its poll), and no claim transaction is needed after.
        row = running.claim_for_this_process(result.db_result)
        transaction.on_commit(lambda: _run_after_commit(row))
    return result.id


def _run_after_commit(row) -> None:
    from . import running

    try:
        running.run_claimed(row)
    except Exception:  # noqa: BLE001 - committed already; the row stays for the workers
        log.exception("eager run of job %s failed; a worker will retry it", row.id)
