"""Idempotency records: a create retried with the same `Idempotency-Key` makes one article.

The record is inserted in the same transaction as the article it creates; the unique
constraint makes a concurrent retry wait for that transaction and then find the finished
answer, which it replays. Records older than a day are forgotten (`jobs.forget_old_records`).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE,
                                    related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "key"],
                                               name="idempotency_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]
