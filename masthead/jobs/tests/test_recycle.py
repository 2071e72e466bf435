"""A job worker that a job left above MASTHEAD_JOBS_RECYCLE_MB stops taking jobs so that
`masthead worker` can start afresh (masthead/jobs/worker.py, issue 20)."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings

from masthead.jobs import registry
from masthead.jobs.tests import sample_jobs
from masthead.jobs.worker import Worker, rss_mb

# Every app available: the flush after each test then truncates with CASCADE (on PostgreSQL
# the search engine's own table references articles_article outside Django's knowledge).
pytestmark = pytest.mark.django_db(transaction=True,
                                   available_apps=list(settings.INSTALLED_APPS))


@pytest.fixture
def workers_only(settings):
    settings.MASTHEAD_JOBS_EAGER = "none"


def test_rss_is_this_process_resident_memory():
    with open("/proc/self/status") as fh:
        status = dict(line.split(":", 1) for line in fh)
    assert abs(rss_mb() - int(status["VmRSS"].split()[0]) / 1024) < 5


def test_a_job_that_leaves_the_worker_above_its_bound_makes_it_recycle(
        workers_only, settings, tmp_path):
    settings.MASTHEAD_JOBS_RECYCLE_MB = max(1, int(rss_mb()) - 1)  # this process is above it
    path = tmp_path / "runs"
    for _ in range(3):
        registry.enqueue(sample_jobs.record, str(path))
    worker = Worker(concurrency=1, interval=0.05, sweeps=False)
    worker._work()  # returns once the worker stops taking jobs
    assert worker.recycle and worker.stop.is_set()
    assert path.read_text().split() == ["ok"]  # one job, then no new one: the rest wait


def test_a_worker_within_its_bound_keeps_taking_jobs(workers_only, settings, tmp_path):
    settings.MASTHEAD_JOBS_RECYCLE_MB = int(rss_mb()) + 10_000
    path = tmp_path / "runs"
    for _ in range(3):
        registry.enqueue(sample_jobs.record, str(path))
    worker = Worker(concurrency=1, interval=0.05, sweeps=False)
    thread = threading.Thread(target=worker._work)
    thread.start()
    deadline = time.monotonic() + 20
    while (not path.exists() or len(path.read_text().split()) < 3) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop.set()
    thread.join(10)
    assert path.read_text().split() == ["ok"] * 3
    assert not worker.recycle


def test_memory_an_app_keeps_on_purpose_is_left_out_of_the_bound(workers_only, settings,
                                                                 tmp_path, monkeypatch):
    settings.MASTHEAD_JOBS_RECYCLE_MB = max(1, int(rss_mb()) - 50)  # above it by ~50 MB
    settings.MASTHEAD_JOBS_KEPT_MEMORY = ["masthead.jobs.tests.sample_jobs.kept_mb"]
    monkeypatch.setattr(sample_jobs, "KEPT_MB", 100.0)  # e.g. a large site's related engine
    path = tmp_path / "runs"
    registry.enqueue(sample_jobs.record, str(path))
    worker = Worker(concurrency=1, interval=0.05, sweeps=False)
    assert worker.run_until_empty() == 1
    worker._check_memory()
    assert not worker.recycle
    monkeypatch.setattr(sample_jobs, "KEPT_MB", 0.0)  # the same memory, not kept: recycle
    worker._check_memory()
    assert worker.recycle
