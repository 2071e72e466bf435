"""Periodic comment jobs, run by every job worker (masthead/jobs/worker.py).

- `retrain_spam_filter`: when moderators have approved or spammed comments since the stored
  model was trained, train a new one from the base set plus every decision. Training takes
  seconds, so it never runs on a request; a database lease makes one process do it.
- `forget_old_ip_addresses`: IP addresses are kept only for the configured number of days.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import commenters, filtering
from .models import JobLease

RETRAIN_LEASE = dt.timedelta(minutes=30)


def claim(name: str, lease: dt.timedelta) -> bool:
    """True for exactly one caller (any process) until the lease runs out or is released."""
    now = timezone.now()
    try:
        with transaction.atomic():
            JobLease.objects.get_or_create(name=name, defaults={"until": now - lease})
    except IntegrityError:
        pass
    return bool(JobLease.objects.filter(name=name, until__lt=now).update(until=now + lease))


def release(name: str) -> None:
    JobLease.objects.filter(name=name).update(until=timezone.now() - dt.timedelta(seconds=1))


def retrain_spam_filter() -> bool:
    if not filtering.needs_retraining() or not claim("retrain-spam-filter", RETRAIN_LEASE):
        return False
    try:
        return filtering.retrain_from_decisions() is not None
    finally:
        release("retrain-spam-filter")


def forget_old_ip_addresses() -> int:
    return commenters.forget_ip_addresses()
