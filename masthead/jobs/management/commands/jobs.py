"""`masthead jobs [list|retry ID...|ping]`: the background queue, its failures, retrying them,
and whether a worker is taking jobs at all."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "List queued, running and failed background jobs; retry failed ones."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="list", choices=["list", "retry", "ping"])
        parser.add_argument("ids", nargs="*", help="job ids to retry (or --all-failed)")
        parser.add_argument("--status", choices=["queued", "running", "failed", "done"])
        parser.add_argument("--all-failed", action="store_true")
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--json", action="store_true", help="one JSON object a line")
        parser.add_argument("--timeout", type=float, default=10.0,
                            help="ping: seconds to wait for a worker (default 10)")

    def handle(self, action, ids, status, all_failed, limit, json, timeout, **options):
        from masthead.jobs import reporting, running

        if action == "ping":
            return self._ping(timeout)
        if action == "retry":
            return self._retry(ids, all_failed, reporting, running)
        if ids:
            raise CommandError("ids go with 'retry'", returncode=2)
        rows = reporting.listing(status, limit)
        if json:
            for row in rows:
                self.stdout.write(_dumps(row))
            return
        counts = reporting.counts()
        age = reporting.oldest_waiting_age()
        workers = reporting.live_workers()
        self.stdout.write(
            "{queued} queued, {running} running, {failed} failed, {done} done".format(**counts)
            + (f"; oldest waiting {age:.1f} s" if age is not None else "")
            + f"; {len(workers)} live worker(s)")
        for row in rows:
            line = (f"{row['id']}  {row['status']:<8} {row['attempts']:>2}x  {row['task']}"
                    f"  {row['enqueued_at'][:19]}")
            if row["error"]:
                line += f"\n    {row['error']}"
            self.stdout.write(line)

    def _ping(self, timeout):
        """Enqueue a ping and wait for a worker to run it: exit 1 if none does in time."""
        import time

        from django.db import transaction
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from masthead.jobs import registry, tasks

        with transaction.atomic():
            job_id = registry.enqueue(tasks.ping.using(priority=100))
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            row = DBTaskResult.objects.filter(id=job_id).values("status").first()
            if row and row["status"] == TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"a worker ran the ping in {time.monotonic() - started:.3f} s")
                return
            time.sleep(0.05)
        DBTaskResult.objects.filter(id=job_id, status=TaskResultStatus.READY).delete()
        raise CommandError(f"no worker ran a job within {timeout:g} s", returncode=1)

    def _retry(self, ids, all_failed, reporting, running):
        if all_failed:
            ids = [row["id"] for row in reporting.listing("failed", limit=100_000)]
        elif not ids:
            raise CommandError("name the job ids to retry, or give --all-failed", returncode=2)
        import uuid

        for job_id in ids:
            try:
                uuid.UUID(job_id)
            except ValueError:
                raise CommandError(f"not a job id: {job_id!r}", returncode=2) from None
        n = running.retry(ids)
        self.stdout.write(f"{n} job(s) queued again")


def _dumps(row) -> str:
    return json.dumps(row, ensure_ascii=False)
