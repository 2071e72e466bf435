"""Worker heartbeats: how the queue tells a busy worker from a dead one.

A job row that is RUNNING names the workers that claimed it (`DBTaskResult.worker_ids`). A
worker process writes its row here every few seconds; a RUNNING job whose last worker has not
beaten for `running.dead_after()` is put back in the queue (`running.recover_stalled`).
"""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (pid {self.pid})"
