"""`masthead worker` starting afresh (issue 20): a job that leaves the worker above
MASTHEAD_JOBS_RECYCLE_MB makes it finish what it runs and exec a fresh `masthead worker` in the
same process (same pid, so `masthead serve`'s watcher and a supervisor see no exit), and the
fresh worker takes the jobs that were waiting. masthead/jobs/tests/test_recycle.py tests the
decision in-process; this runs the real command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

pytestmark = [pytest.mark.e2e]

ENQUEUE = """
import os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
django.setup()
from masthead.jobs import registry
from masthead.jobs.tests import sample_jobs
for _ in range(3):
    registry.enqueue(sample_jobs.record, sys.argv[1])
"""


def _worker_with_three_waiting_jobs(tmp_path) -> subprocess.Popen:
    """A migrated site with three jobs queued (each writes "ok" to `tmp_path / "runs"`) and a
    `masthead worker` started on it, its output piped."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MASTHEAD_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    # Every job leaves a Python process above 1 MB: each fresh worker runs one job and
    # starts afresh again.
    env.update(MASTHEAD_DATA_DIR=str(tmp_path), MASTHEAD_JOBS_EAGER="none",
               MASTHEAD_JOBS_RECYCLE_MB="1", PYTHONUNBUFFERED="1")
    for argv in (["-m", "masthead", "migrate", "-v0"], ["-c", ENQUEUE, str(tmp_path / "runs")]):
        done = subprocess.run([sys.executable, *argv], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    return subprocess.Popen(
        [sys.executable, "-m", "masthead", "worker", "--concurrency", "1", "--interval", "0.1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_worker_above_its_bound_restarts_in_place_and_takes_the_waiting_jobs(tmp_path):
    runs = tmp_path / "runs"
    worker = _worker_with_three_waiting_jobs(tmp_path)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(worker.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if runs.exists() and len(runs.read_text().split()) == 3 and \
                    sum("thread(s)" in line for line in lines) >= 3:
                break
            assert worker.poll() is None, "".join(lines)[-2000:]
            time.sleep(0.1)
        assert runs.read_text().split() == ["ok"] * 3, "".join(lines)[-2000:]
        # The same process all along: it never exited, and it announced each fresh start.
        assert worker.poll() is None
        assert sum("starting afresh" in line for line in lines) >= 2, "".join(lines)
        assert sum("thread(s)" in line for line in lines) >= 3, "".join(lines)
        # The third job leaves the worker above its bound too, so it may be inside execve()
        # right now, when /proc shows an empty command line for a moment: read until it is
        # back.
        cmdline = b""
        for _ in range(100):
            with open(f"/proc/{worker.pid}/cmdline", "rb") as fh:
                cmdline = fh.read()
            if cmdline:
                break
            time.sleep(0.05)
        assert b"worker" in cmdline
    finally:
        worker.terminate()
        worker.wait(30)


def test_a_stop_sent_while_the_worker_starts_afresh_is_not_lost(tmp_path):
    """SIGTERM at the moment the worker announces its restart (the window between leaving
    its loop and the fresh worker's handler) stops it: the fresh worker must not run on
    unstoppable, as a supervisor's stop would then wait for SIGKILL."""
    worker = _worker_with_three_waiting_jobs(tmp_path)
    try:
        seen = []
        for line in worker.stdout:
            seen.append(line)
            if "starting afresh" in line:
                worker.send_signal(signal.SIGTERM)
                break
        assert any("starting afresh" in line for line in seen), "".join(seen)
        assert worker.wait(30) == 0, "".join(seen)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
