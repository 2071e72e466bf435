"""Newsroom state that must be shared by every server process: failed login attempts and the
version of each article's preview links.

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


class PreviewLinks(models.Model):
    """The current version of an article's shared preview links (see previews.py).

    Every token carries the version it was made with; revoking adds one, so every link made
    before stops working at once. No row means version 0 (no link was ever revoked).
    """

    article = models.OneToOneField("articles.Article", on_delete=models.CASCADE,
                                   primary_key=True, related_name="preview_links")
    version = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"preview links of article {self.article_id}: version {self.version}"
