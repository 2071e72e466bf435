"""The queue's promises: a job exists exactly when its change committed, failures come back
later with backoff until their attempts are spent, a dead worker's job is put back, and
`masthead jobs` shows and retries what failed. On SQLite and PostgreSQL alike (CI runs the
suite on both)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from masthead.jobs import registry, running
from masthead.jobs.models import WorkerBeat
from masthead.jobs.tests import sample_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers_only(settings):
    settings.MASTHEAD_JOBS_EAGER = "none"


def runs(path):
    return path.read_text().split() if path.exists() else []


def make_due(job_id):
    DBTaskResult.objects.filter(id=job_id).update(run_after=timezone.now())


def test_a_job_enqueued_in_a_rolled_back_transaction_does_not_exist(workers_only, tmp_path):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        registry.enqueue(sample_jobs.record, str(tmp_path / "x"))
        raise Boom
    assert not DBTaskResult.objects.exists()


def test_a_job_enqueued_with_a_change_waits_for_a_worker(workers_only, tmp_path):
    with transaction.atomic():
        job_id = registry.enqueue(sample_jobs.record, str(tmp_path / "x"))
    row = DBTaskResult.objects.get(id=job_id)
    assert row.status == TaskResultStatus.READY
    assert row.task_path == "masthead.jobs.tests.sample_jobs.record"
    assert running.claim_next("w1").id == row.id
    assert running.claim_next("w2") is None  # claimed: nobody else gets it


def test_a_failing_job_is_retried_later_with_growing_backoff(workers_only, tmp_path):
    path = tmp_path / "flaky"
    job_id = registry.enqueue(sample_jobs.flaky, str(path), 2)
    before = timezone.now()
    assert running.run_claimed(running.claim_next("w")) is False
    row = DBTaskResult.objects.get(id=job_id)
    assert row.status == TaskResultStatus.READY
    assert row.run_after >= before + dt.timedelta(seconds=30 * 0.8)  # first backoff ~30 s
    assert "failure 1 of 2" in row.traceback
    assert running.claim_next("w") is None  # not due yet

    make_due(job_id)
    running.run_claimed(running.claim_next("w"))
    row = DBTaskResult.objects.get(id=job_id)
    assert row.run_after >= timezone.now() + dt.timedelta(seconds=60 * 0.8 - 1)  # doubled
    make_due(job_id)
    assert running.run_claimed(running.claim_next("w")) is True
    row = DBTaskResult.objects.get(id=job_id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 3
    assert len(row.worker_ids) == 3
    assert runs(path) == ["run", "run", "run"]


def test_a_job_that_keeps_failing_is_failed_and_can_be_retried(workers_only, tmp_path, capsys):
    path = tmp_path / "flaky"
    job_id = registry.enqueue(sample_jobs.flaky, str(path), 99)
    for _ in range(3):
        make_due(job_id)
        running.run_claimed(running.claim_next("w"))
    row = DBTaskResult.objects.get(id=job_id)
    assert row.status == TaskResultStatus.FAILED
    assert "failure 3 of 99" in row.traceback

    call_command("jobs", "list", "--status", "failed", "--json")
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["id"], r["status"], r["attempts"]) for r in listed] == [(job_id, "failed", 3)]
    assert "failure 3 of 99" in listed[0]["error"]

    call_command("jobs", "retry", job_id)
    assert "1 job(s) queued again" in capsys.readouterr().out
    row = DBTaskResult.objects.get(id=job_id)
    assert row.status == TaskResultStatus.READY and row.worker_ids == []


def test_jobs_retry_refuses_what_is_not_a_job_id(workers_only):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a job id"):
        call_command("jobs", "retry", "'; DROP TABLE x")


def test_a_running_job_whose_worker_died_is_put_back(workers_only, tmp_path, settings):
    settings.MASTHEAD_JOBS_DEAD_AFTER = 30
    now = timezone.now()
    dead = registry.enqueue(sample_jobs.record, str(tmp_path / "a"))
    alive = registry.enqueue(sample_jobs.record, str(tmp_path / "b"))
    WorkerBeat.objects.create(worker_id="dead", host="h", pid=1, started_at=now,
                              last_seen=now - dt.timedelta(seconds=31))
    WorkerBeat.objects.create(worker_id="alive", host="h", pid=2, started_at=now, last_seen=now)
    running.claim_next("dead")  # claims one of the two (same priority: oldest first)
    running.claim_next("alive")

    assert running.recover_stalled(now) == [dead]
    assert DBTaskResult.objects.get(id=dead).status == TaskResultStatus.READY
    assert "stopped while running" in DBTaskResult.objects.get(id=dead).traceback
    assert DBTaskResult.objects.get(id=alive).status == TaskResultStatus.RUNNING


def test_an_eager_run_that_beats_no_heartbeat_gets_a_grace_period(workers_only, tmp_path):
    job_id = registry.enqueue(sample_jobs.record, str(tmp_path / "a"))
    running.claim_next("web-process-without-heartbeat")
    assert running.recover_stalled() == []
    later = timezone.now() + running.UNWATCHED_GRACE + dt.timedelta(seconds=1)
    assert running.recover_stalled(later) == [job_id]


def test_eager_jobs_run_right_after_the_commit_and_others_wait(settings, tmp_path,
                                                               django_capture_on_commit_callbacks):
    settings.MASTHEAD_JOBS_EAGER = "fast"
    eager, other = tmp_path / "eager", tmp_path / "other"
    with django_capture_on_commit_callbacks(execute=True):
        registry.enqueue(sample_jobs.eager_record, str(eager))
        registry.enqueue(sample_jobs.record, str(other))
        assert runs(eager) == []  # not before the commit
    assert runs(eager) == ["eager"]
    assert runs(other) == []
    assert DBTaskResult.objects.ready().count() == 1


def test_a_job_due_later_is_not_taken_before_its_time(workers_only, tmp_path):
    registry.enqueue(sample_jobs.record, str(tmp_path / "x"),
                     run_after=timezone.now() + dt.timedelta(minutes=5))
    assert running.claim_next("w") is None


def test_oldest_waiting_age_counts_only_jobs_that_are_due(workers_only, tmp_path):
    from masthead.jobs import reporting

    assert reporting.oldest_waiting_age() is None
    registry.enqueue(sample_jobs.record, str(tmp_path / "x"),
                     run_after=timezone.now() + dt.timedelta(minutes=5))
    assert reporting.oldest_waiting_age() is None
    registry.enqueue(sample_jobs.record, str(tmp_path / "y"))
    DBTaskResult.objects.filter(run_after__year=9999).update(
        enqueued_at=timezone.now() - dt.timedelta(seconds=42))
    assert 41 < reporting.oldest_waiting_age() < 60
