"""Claiming and running one job; retries, and recovery of jobs whose worker died.

Claims go through the engine (`DBTaskResult.objects.ready().get_locked()` and `.claim()` in an
exclusive transaction: `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN EXCLUSIVE` on
SQLite), so two workers never run one job at the same time. What happens after a failure is
ours: the engine marks a failed task FAILED for good, while here a job with attempts left goes
back to READY with a `run_after` in the future (`policies.Policy.delay`), keeping its last error
for `masthead jobs`. The attempt count is the number of claims (`worker_ids`).

Delivery is at least once: a worker killed after the work but before marking it done leaves a
job that runs again. Every job is written to be idempotent for that reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from contextlib import nullcontext
from traceback import format_exception

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import WorkerBeat
from .policies import policy_for

log = logging.getLogger("masthead.jobs")



def dead_after() -> dt.timedelta:
    """A worker that has not beaten for this long is dead; its RUNNING jobs are put back."""
    return dt.timedelta(seconds=getattr(settings, "MASTHEAD_JOBS_DEAD_AFTER", 30))


# A job claimed by a process that beats no heartbeat (an eager run in a web server) is put back
# after this long: eager jobs (purges, search entries) take milliseconds, and running one twice
# is harmless.
UNWATCHED_GRACE = dt.timedelta(seconds=30)

_process_id: tuple[int, str] = (0, "")


def process_worker_id() -> str:
    """`<host>-<pid>-<random>`: unique per process (a forked child gets its own), readable in
    `masthead jobs`."""
    global _process_id
    if _process_id[0] != os.getpid():
        _process_id = (os.getpid(),
                       f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}")
    return _process_id[1]


def _claim(queryset, worker_id: str) -> DBTaskResult | None:
    try:
        with exclusive_transaction(queryset.db):
            row = queryset.get_locked()
            if row is not None:
                row.claim(worker_id)
            return row
    except OperationalError as exc:
        if is_locked_database_exception(exc):
            return None  # SQLite busy: someone else is writing; the next poll tries again
        raise


def claim_next(worker_id: str, queues=None) -> DBTaskResult | None:
    ready = DBTaskResult.objects.ready()
    if queues:
        ready = ready.filter(queue_name__in=queues)
    # A plain read first: polling an empty queue must not take SQLite's write lock.
    if not ready.exists():
        return None
    return _claim(ready, worker_id)


def claim_for_this_process(row: DBTaskResult) -> DBTaskResult:
    """Claim a row this process has just written, in the transaction that wrote it (eager
    jobs: see registry.enqueue). If the process dies before running it, `recover_stalled`
    puts it back after UNWATCHED_GRACE."""
    row.claim(process_worker_id())
    return row


def run_claimed(row: DBTaskResult) -> bool:
    """Run a claimed job; True on success. Never raises for the job's own failure."""
    try:
        task = row.task
        args = row.args_kwargs
        # In a test (or any caller already in a transaction) a failing job must not break the
        # caller's transaction: give it a savepoint. Otherwise the job owns its transactions;
        # a long job must not hold SQLite's write lock for its whole run.
        guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with guard:
            value = task.call(*args["args"], **args["kwargs"])
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the job, then retried
        _failed(row, exc)
        return False
    row.set_successful(value if _json_safe(value) else None)
    return True


def _json_safe(value) -> bool:
    return value is None or isinstance(value, bool | int | float | str | list | dict)


def _failed(row: DBTaskResult, exc: BaseException) -> None:
    policy = policy_for(row.task_path)
    attempts = len(row.worker_ids)
    if policy.exhausted(attempts):
        log.error("job %s (%s) failed for good after %d attempt(s): %s",
                  row.id, row.task_path, attempts, type(exc).__name__)
        row.set_failed(exc)
        return
    delay = policy.delay(attempts)
    log.warning("job %s (%s) failed (attempt %d); retrying in %.0f s: %s",
                row.id, row.task_path, attempts, delay.total_seconds(), type(exc).__name__)
    DBTaskResult.objects.filter(id=row.id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, run_after=timezone.now() + delay,
        exception_class_path=f"{type(exc).__module__}.{type(exc).__qualname__}",
        traceback="".join(format_exception(exc)),
    )


def recover_stalled(now: dt.datetime | None = None) -> list[str]:
    """Put back the RUNNING jobs whose worker is dead (killed, its machine gone)."""
    now = now or timezone.now()
    alive = set(WorkerBeat.objects.filter(last_seen__gte=now - dead_after())
                .values_list("worker_id", flat=True))
    watched = set(WorkerBeat.objects.values_list("worker_id", flat=True))
    recovered = []
    for row in DBTaskResult.objects.running().only("id", "worker_ids", "started_at", "task_path"):
        last = row.worker_ids[-1] if row.worker_ids else ""
        if last in alive:
            continue
        if last not in watched and row.started_at and row.started_at > now - UNWATCHED_GRACE:
            continue
        attempts = len(row.worker_ids)
        exhausted = policy_for(row.task_path).exhausted(attempts)
        changed = DBTaskResult.objects.filter(
            id=row.id, status=TaskResultStatus.RUNNING, started_at=row.started_at,
        ).update(
            status=TaskResultStatus.FAILED if exhausted else TaskResultStatus.READY,
            run_after=now, finished_at=now if exhausted else None,
            exception_class_path="masthead.jobs.WorkerLost",
            traceback=f"worker {last or '?'} stopped while running this job (attempt {attempts})",
        )
        if changed:
            recovered.append(str(row.id))
    if recovered:
        log.warning("put back %d job(s) whose worker died", len(recovered))
    return recovered


def retry(ids) -> int:
    """`masthead jobs retry`: failed jobs back in the queue, attempts counted afresh."""
    return DBTaskResult.objects.filter(id__in=list(ids), status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now(), worker_ids=[],
        finished_at=None,
    )


def drop_waiting(task_paths, enqueued_before: dt.datetime) -> int:
    """Delete the queued (not running) jobs of `task_paths` enqueued before a moment: for work
    that a run since that moment has made redundant (`search reindex` after a big import's
    queued rebuild). A worker claiming one meanwhile keeps it: the statement matches queued
    rows only, and PostgreSQL re-checks the status of a row it waited for."""
    deleted, _ = DBTaskResult.objects.filter(
        task_path__in=list(task_paths), status=TaskResultStatus.READY,
        enqueued_at__lt=enqueued_before).delete()
    return deleted


def prune(older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Forget successful jobs after a week (failed ones stay until retried or pruned by hand)."""
    cutoff = timezone.now() - older_than
    deleted, _ = DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    WorkerBeat.objects.filter(last_seen__lt=cutoff).delete()
    return deleted
