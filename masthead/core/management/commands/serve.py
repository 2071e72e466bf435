"""`masthead serve`: the production server (granian, WSGI), not Django's runserver.

Unless told otherwise (`--no-worker`, MASTHEAD_SERVE_WORKER=0) it also runs one `masthead
worker` process beside the web server, restarted if it dies, so a one-machine site needs
nothing else for its background work (masthead/jobs). Several servers may each run one, or
leave the work to dedicated `masthead worker` machines.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the site with the production server (granian)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
        parser.add_argument("--threads", type=int, default=4,
                            help="threads per worker for blocking (database) work")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start a job worker beside the server")

    def handle(self, host, port, workers, threads, no_collectstatic, no_worker, **options):
        from django.conf import settings
        from granian import Granian
        from granian.constants import Interfaces

        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, got {port}", returncode=2)
        if workers < 1:
            raise CommandError("--workers must be at least 1", returncode=2)
        from masthead.config import ConfigError
        from masthead.core.startup import check_can_start, check_port_free

        try:
            check_port_free(host, port)
            check_can_start()
        except ConfigError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        os.environ["MASTHEAD_SERVER"] = "1"  # wsgi.py prepares each server worker when set
        self.stdout.write(f"Serving on http://{host}:{port}/ with {workers} worker(s)")
        self.stdout.flush()
        jobs = None if no_worker or not settings.MASTHEAD_SERVE_WORKER else JobWorkerProcess()
        try:
            Granian(
                "masthead.wsgi:application", address=host, port=port,
                interface=Interfaces.WSGI, workers=workers, blocking_threads=threads,
                log_access=False, respawn_failed_workers=True,
            ).serve()
        finally:
            if jobs:
                jobs.stop()


def _die_with_parent() -> None:
    """Linux: the worker gets SIGTERM when the server dies, even by kill -9 (no orphans)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class JobWorkerProcess:
    """A `masthead worker` child, restarted when it exits until the server stops."""

    def __init__(self):
        self.stopping = threading.Event()
        self.process: subprocess.Popen | None = None
        self._start()
        threading.Thread(target=self._watch, name="masthead-worker-watch", daemon=True).start()

    def _start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "MASTHEAD_SERVER"}
        self.process = subprocess.Popen([sys.executable, "-m", "masthead", "worker"], env=env,
                                        stdout=subprocess.DEVNULL, preexec_fn=_die_with_parent)

    def _watch(self) -> None:
        while not self.stopping.wait(1.0):
            if self.process.poll() is not None:
                self._start()

    def stop(self) -> None:
        self.stopping.set()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
