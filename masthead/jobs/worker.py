"""The worker loop: `masthead worker`, and the one `masthead serve` starts beside the server.

A `Worker` runs `concurrency` threads that each claim and run jobs (`running`), plus one
thread that writes the process's heartbeat and runs the periodic sweeps: recovery of jobs
whose worker died, pruning, and the apps' own periodic jobs named in
settings.MASTHEAD_BACKGROUND_JOBS as (dotted path, interval). Every sweep is safe to run from
any number of workers at once (each says how), so workers need no leader.

An idle worker polls with a plain read every `interval` seconds; on PostgreSQL it is also woken
at once by the NOTIFY that every enqueue sends at commit (`Listener`), so a job waits
milliseconds, not half a poll interval. SIGTERM or SIGINT lets the running jobs finish, then
the process exits.

A worker recycles itself when a job has left it holding more than
settings.MASTHEAD_JOBS_RECYCLE_MB of RSS (issue 20, item 6): the related-articles engine
loads NumPy, SciPy and scikit-learn and the whole corpus's vectors (a 10k-article bulk import
took the job worker from 82 to 414 MB RSS, bench/worker_memory.py), and a Python process
keeps that memory after the job. The worker stops taking jobs, lets the running ones finish,
and `masthead worker` starts afresh in the same process (exec), so the next light job runs in
a small one. What a heavy job needs while it runs is not bounded by this, only what stays.
Memory an app keeps on purpose is not counted: each function named in
settings.MASTHEAD_JOBS_KEPT_MEMORY says how many MB it holds (the related-articles engine's
copy on a large site, which takes longer to reload than to keep: 15 s at 1M articles).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from . import running
from .models import WorkerBeat

log = logging.getLogger("masthead.jobs")

SWEEPS = [
    ("masthead.jobs.running.recover_stalled", 10.0),
    ("masthead.jobs.running.prune", 3600.0),
]


class Worker:
    def __init__(self, *, concurrency: int = 1, interval: float = 0.5, queues=None,
                 worker_id: str | None = None, sweeps: bool = True):
        self.concurrency = max(1, concurrency)
        self.interval = interval
        self.queues = queues
        self.worker_id = worker_id or running.process_worker_id()
        self.sweeps = sweeps
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.threads: list[threading.Thread] = []
        self.jobs_run = 0
        self.recycle = False  # set when a job left the process above its memory bound

    # -- the loop ------------------------------------------------------------------------------
    def run_forever(self) -> None:
        self.start()
        try:
            while not self.stop.wait(1.0):
                pass
        finally:
            self.join()

    def start(self) -> None:
        self._beat()
        for n in range(self.concurrency):
            self._spawn(self._work, f"masthead-worker-{n}")
        self._spawn(self._housekeeping, "masthead-worker-beat")
        from django.db import connection

        if connection.vendor == "postgresql":
            self._spawn(Listener(self.wake, self.stop).run, "masthead-worker-listen")

    def join(self, timeout: float | None = None) -> None:
        self.stop.set()
        self.wake.set()
        for thread in self.threads:
            thread.join(timeout)

    def _spawn(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _work(self) -> None:
        while not self.stop.is_set():
            ran = False
            try:
                close_old_connections()
                row = running.claim_next(self.worker_id, self.queues)
                if row is not None:
                    running.run_claimed(row)
                    self.jobs_run += 1
                    ran = True
                    self._check_memory()
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                log.exception("worker loop error; retrying")
                self.stop.wait(self.interval * 4)
            if not ran and not self.stop.is_set():
                self.wake.wait(self.interval)
                self.wake.clear()
        close_old_connections()

    def _check_memory(self) -> None:
        limit = getattr(settings, "MASTHEAD_JOBS_RECYCLE_MB", 0)
        if limit and not self.recycle and rss_mb() - kept_mb() > limit:
            log.info("worker %s holds %.0f MB after a job, %.0f MB of it kept on purpose "
                     "(bound %d MB): recycling", self.worker_id, rss_mb(), kept_mb(), limit)
            self.recycle = True
            self.stop.set()  # the other threads finish their job and take no new one
            self.wake.set()

    def run_until_empty(self, max_jobs: int = 10_000) -> int:
        """Run waiting jobs in this thread until none is ready (`masthead worker --burst`)."""
        self._beat()
        count = 0
        while count < max_jobs:
            row = running.claim_next(self.worker_id, self.queues)
            if row is None:
                break
            running.run_claimed(row)
            count += 1
        return count

    # -- heartbeat and sweeps ------------------------------------------------------------------
    def _housekeeping(self) -> None:
        due: dict[str, float] = {}
        sweeps = [*SWEEPS, *getattr(settings, "MASTHEAD_BACKGROUND_JOBS", [])]
        if not self.sweeps:
            sweeps = []
        last_beat = 0.0
        beat_every = min(5.0, running.dead_after().total_seconds() / 3)
        while not self.stop.is_set():
            now = time.monotonic()
            try:
                close_old_connections()
                if now - last_beat >= beat_every:
                    self._beat()
                    last_beat = now
                for path, every in sweeps:
                    if now >= due.get(path, 0.0):
                        due[path] = now + float(every)
                        import_string(path)()
            except Exception:  # noqa: BLE001 - a failing sweep retries at its next interval
                log.exception("worker housekeeping failed")
            self.stop.wait(0.5)
        close_old_connections()

    def _beat(self) -> None:
        now = timezone.now()
        updated = WorkerBeat.objects.filter(worker_id=self.worker_id).update(last_seen=now)
        if not updated:
            WorkerBeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={"host": socket.gethostname()[:255], "pid": os.getpid(),
                          "started_at": now, "last_seen": now},
            )


def kept_mb() -> float:
    """What the apps hold on purpose (settings.MASTHEAD_JOBS_KEPT_MEMORY), in MB."""
    return sum(import_string(path)() for path in getattr(settings, "MASTHEAD_JOBS_KEPT_MEMORY", []))


def rss_mb() -> float:
    """This process's resident memory (Linux; 0 elsewhere: then it never recycles)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


class Listener:
    """PostgreSQL only: LISTEN on the queue's channel and wake the worker's threads."""

    def __init__(self, wake: threading.Event, stop: threading.Event):
        self.wake, self.stop = wake, stop

    def run(self) -> None:
        from django.db import connection

        from .registry import CHANNEL

        while not self.stop.is_set():
            conn = None
            try:
                conn = connection.get_new_connection(connection.get_connection_params())
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                self.wake.set()  # anything enqueued while we were not listening
                while not self.stop.is_set():
                    for _ in conn.notifies(timeout=1.0):
                        self.wake.set()
            except Exception:  # noqa: BLE001 - database restarting: polling goes on meanwhile
                log.warning("job notifications unavailable; polling until the database is back")
                self.stop.wait(2.0)
            finally:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
