"""The core app's one table: `RateBucket`, counters shared by every server process.

Used through `masthead.core.ratelimit` (comment posting, newsletter sign-ups, the newsletters'
global send rate). The default cache is per process, and a limit that each of N processes
counts on its own is N times too weak; one row per key per window in the database is not.
"""

from __future__ import annotations

from django.db import models


class RateBucket(models.Model):
    """How many times `key` was counted in the window starting at `window` (unix ms)."""

    key = models.CharField(max_length=80)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="core_ratebucket_key_window"),
        ]
        indexes = [models.Index(fields=["window"], name="core_ratebucket_window")]
