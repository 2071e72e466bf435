"""Queue operations the job benchmark runs in a Django process of its own.

    python bench/lib/jobs_site.py enqueue N        N ping jobs, each in its own transaction
    python bench/lib/jobs_site.py latency M EAGER  M pings one after another; prints JSON of
                                                   commit-to-done seconds (EAGER: run after
                                                   the commit in this process, else workers)
    python bench/lib/jobs_site.py pending          jobs not yet done

The environment (MASTHEAD_DATA_DIR, MASTHEAD_DATABASE_URL) says which site.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2])]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django_tasks.base import TaskResultStatus  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from masthead.jobs import registry, tasks  # noqa: E402


def enqueue(n: int) -> None:
    started = time.perf_counter()
    for _ in range(n):
        with transaction.atomic():
            registry.enqueue(tasks.ping)
    print(json.dumps({"enqueued": n, "seconds": round(time.perf_counter() - started, 3)}))


def latency(m: int, eager: bool) -> None:
    seconds = []
    with override_settings(MASTHEAD_JOBS_EAGER="all" if eager else "none"):
        for _ in range(m):
            t0 = time.perf_counter()
            with transaction.atomic():
                job_id = registry.enqueue(tasks.ping)
            while not DBTaskResult.objects.filter(
                    id=job_id, status=TaskResultStatus.SUCCESSFUL).exists():
                time.sleep(0.002)
            seconds.append(time.perf_counter() - t0)
            time.sleep(0.02)
    print(json.dumps(seconds))


def pending() -> None:
    print(DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).count())


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "enqueue":
        enqueue(int(args[0]))
    elif command == "latency":
        latency(int(args[0]), args[1] == "1")
    elif command == "pending":
        pending()
    else:
        raise SystemExit(f"unknown command {command!r}")
