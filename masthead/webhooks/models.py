"""Subscriptions, deliveries (one per event and subscription) and their attempts (the log)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Subscription(models.Model):
    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE,
                                    related_name="webhooks")
    event = models.CharField(max_length=40)
    url = models.URLField(max_length=500)
    # Standard Webhooks secret, "whsec_" + base64 of 32 random bytes. It must be recoverable
    # to sign, so it cannot be hashed: it is encrypted with the key ring (masthead/keyring),
    # and a database dump alone holds no usable secret. Read and set it as `secret`.
    secret_encrypted = models.TextField()
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["integration", "event", "pk"]
        constraints = [models.UniqueConstraint(fields=["integration", "event", "url"],
                                               name="webhook_subscription_unique")]

    def __str__(self):
        return f"{self.integration.name}: {self.event} → {self.url}"

    @property
    def secret(self) -> str:
        from masthead.keyring import ring

        return ring.decrypt(self.secret_encrypted) or ""

    @secret.setter
    def secret(self, value: str) -> None:
        from masthead.keyring import ring

        self.secret_encrypted = ring.encrypt(value)


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.CharField(max_length=40)
    message_id = models.CharField(max_length=40, unique=True)  # webhook-id: receivers dedupe
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subscription", "-created_at"], name="delivery_recent")]


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    manual = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]

    @property
    def succeeded(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300
