"""Periodic sweep of the API (settings.MASTHEAD_BACKGROUND_JOBS): safe from several workers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import IdempotencyRecord

KEEP = dt.timedelta(hours=24)


def forget_old_records() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted
