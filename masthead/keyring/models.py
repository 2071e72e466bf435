"""`DataKey`: one version of the ring, its key material wrapped with the secret key."""

from django.db import models
from django.utils import timezone


class DataKey(models.Model):
    """The highest version is current: new values are encrypted and digested with it."""

    version = models.PositiveIntegerField(unique=True)
    # A Fernet token of the 32-byte root key, under a key derived from SECRET_KEY (crypto.py).
    wrapped = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"data key v{self.version}"
