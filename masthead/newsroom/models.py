"""Newsroom state that must be shared by every server process: failed login attempts.

Kept in the database rather than the cache because the default cache is per process, and a
throttle that each of four workers counts separately lets four times the guesses through.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LoginFailure(models.Model):
    """One failed login: counted per account and per client address within a time window."""

    username = models.CharField(max_length=150)  # lower-cased; need not be a real account
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["username", "created_at"], name="loginfailure_user"),
            models.Index(fields=["ip_address", "created_at"], name="loginfailure_ip"),
        ]

    def __str__(self):
        return f"{self.username} from {self.ip_address} at {self.created_at:%Y-%m-%d %H:%M}"
