"""`masthead worker`: run background jobs until stopped (any number, on any server)."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = "Run background jobs (search entries, related lists, purges, mail) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2,
                            help="jobs run at once in this process (threads; default 2)")
        parser.add_argument("--interval", type=float, default=0.5,
                            help="seconds between polls of an empty queue (default 0.5)")
        parser.add_argument("--burst", action="store_true",
                            help="run every job that is ready now, then exit")

    def handle(self, concurrency, interval, burst, **options):
        from masthead.jobs.worker import Worker

        if concurrency < 1 or concurrency > 64:
            raise CommandError("--concurrency must be between 1 and 64", returncode=2)
        if not 0 < interval <= 60:
            raise CommandError("--interval must be between 0 and 60 seconds", returncode=2)
        from masthead.core.startup import check_can_start

        check_can_start()  # the shared secret, the database, Redis, the key ring: one line, exit 2
        worker = Worker(concurrency=concurrency, interval=interval)
        if burst:
            ran = worker.run_until_empty()
            self.stdout.write(f"ran {ran} job(s)")
            return
        stopping = threading.Event()

        def stop(*_):
            stopping.set()
            worker.stop.set()

        for sig in STOP_SIGNALS:
            signal.signal(sig, stop)
        # A worker that started afresh (below) began with the stop signals blocked: one sent
        # while it was starting is delivered now, to the handler, and it stops at once.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        self.stdout.write(f"worker {worker.worker_id}: {concurrency} thread(s)")
        self.stdout.flush()
        worker.run_forever()
        if worker.recycle:  # a heavy job left memory behind: start afresh (jobs/worker.py)
            self.stdout.write(f"worker {worker.worker_id}: a job left it above "
                              f"MASTHEAD_JOBS_RECYCLE_MB; starting afresh")
            self.stdout.flush()
            # From here a stop request must not be lost in the exec: blocked signals stay
            # pending across it, and the fresh worker takes them once its handler is set. One
            # that came before the block is seen here, and the worker just stops.
            signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
            if not stopping.is_set():
                restart(["--concurrency", str(concurrency), "--interval", str(interval)])


def restart(arguments: list[str]) -> None:
    """Replace this process with a fresh `masthead worker` (same pid, so `masthead serve`'s
    watcher and a supervisor see the same process; the parent-death signal is kept)."""
    import os
    import sys

    from django.db import connections

    connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "masthead", "worker", *arguments])  # noqa: S606 - our own interpreter and arguments
