"""What the queue holds, for `masthead jobs` and `/healthz`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerBeat
from .running import dead_after

STATUSES = {
    "queued": TaskResultStatus.READY,
    "running": TaskResultStatus.RUNNING,
    "failed": TaskResultStatus.FAILED,
    "done": TaskResultStatus.SUCCESSFUL,
}


def counts() -> dict[str, int]:
    by_status = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")))
    return {name: by_status.get(status, 0) for name, status in STATUSES.items()}


def oldest_waiting_age(now: dt.datetime | None = None) -> float | None:
    """Seconds since the oldest job that is due now was due (None when none is).

    A job waiting for its `run_after` (a retry's backoff, a scheduled publication) is not late;
    one that is due and not taken says the workers are missing or behind."""
    now = now or timezone.now()
    row = DBTaskResult.objects.ready().aggregate(
        enqueued=Min("enqueued_at"),
        due=Min("run_after", filter=Q(run_after__lte=now)),
    )
    oldest = max(filter(None, [row["enqueued"], row["due"]]), default=None)
    return round((now - oldest).total_seconds(), 3) if oldest else None


def live_workers(now: dt.datetime | None = None) -> list[WorkerBeat]:
    now = now or timezone.now()
    return list(WorkerBeat.objects.filter(last_seen__gte=now - dead_after()))


def listing(status: str | None = None, limit: int = 100) -> list[dict]:
    rows = DBTaskResult.objects.order_by("-enqueued_at")
    if status:
        rows = rows.filter(status=STATUSES[status])
    out = []
    for row in rows[:limit]:
        error = row.traceback.strip().splitlines()[-1] if row.traceback else ""
        out.append({
            "id": str(row.id),
            "task": row.task_path,
            "status": next(k for k, v in STATUSES.items() if v == row.status),
            "attempts": len(row.worker_ids),
            "enqueued_at": row.enqueued_at.isoformat(),
            "run_after": None if row.run_after.year == 9999 else row.run_after.isoformat(),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            "error": error[:500],
        })
    return out


def health_check():
    """`/healthz`: the age of the oldest job that is due and waiting, and the live workers.

    Reported, never failing: a late queue is not this web server's fault, and a load balancer
    that took servers out for it would only make things worse. Alert on the age instead."""
    from masthead.core.health import Check

    try:
        age, workers = oldest_waiting_age(), len(live_workers())
    except Exception as exc:  # noqa: BLE001 - the database check reports the outage itself
        return [Check("jobs", True, extra={"unknown": type(exc).__name__})]
    return [Check("jobs", True, extra={"oldest_waiting_s": age, "live_workers": workers})]


def no_live_worker():
    """`masthead check --deploy`: nothing runs background jobs (search entries, related lists,
    mail, scheduled publication) unless some worker is alive."""
    from django.core import checks
    from django.db import DatabaseError

    try:
        if live_workers():
            return []
    except DatabaseError as exc:
        return [checks.Error(f"The job queue cannot be read ({type(exc).__name__}).",
                             hint="Run `masthead migrate`.", id="masthead.E007")]
    return [checks.Error(
        "No job worker has been seen in the last "
        f"{int(dead_after().total_seconds())} s: search entries, related lists, mail and "
        "scheduled publications wait until one runs.",
        hint="Run `masthead serve` (it starts a worker) or `masthead worker` on some server; "
             "`masthead jobs ping` checks that one takes jobs.",
        id="masthead.E007")]
