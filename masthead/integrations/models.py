"""An integration (a named API client) and its keys, stored only as digests.

A key is 32 random bytes, so a fast SHA-256 digest is as safe to store as a slow password hash
(nothing to brute-force) and lets a request find its key with one indexed look-up. The
`prefix` (the key's first characters) is kept in clear so people can tell keys apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Integration(models.Model):
    name = models.CharField(max_length=100, unique=True)
    role = models.CharField(max_length=20)
    # The service account an Admin key acts as: it holds the role, bylines and revisions
    # name it. No usable password, so nobody can log in with it.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="integration")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiKey(models.Model):
    class Kind(models.TextChoices):
        CONTENT = "content", "Content API"
        ADMIN = "admin", "Admin API"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["integration", "kind"]

    def __str__(self):
        return f"{self.integration.name} {self.kind} key {self.prefix}…"
