"""Comments: one row per comment, threaded by `parent`, with moderation state.

The commenter's email is stored only as `email_encrypted` (Fernet) and `email_digest` (keyed
HMAC, for auto-approval, rate limits and erasure); no field holds it in clear, so no template,
serializer or feed can leak it by accident.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def for_article_page(self, article):
        return self.approved().filter(article=article).order_by("created_at", "id")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author_name = models.CharField(max_length=100)
    author_url = models.URLField(max_length=200, blank=True)
    email_encrypted = models.TextField(blank=True)
    email_digest = models.CharField(max_length=64, blank=True, db_index=True)
    body = models.TextField()  # plain text; escaped and linkified on display
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    spam_score = models.FloatField(null=True, blank=True)
    user = models.ForeignKey(  # set when a staff member replies from the newsroom
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    external_key = models.CharField(max_length=255, blank=True, default="")

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", "Can moderate comments")]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article"),
            models.Index(fields=["status", "-created_at"], name="comment_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "external_key"], condition=~models.Q(external_key=""),
                name="comment_external_key_unique",
            ),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article_id}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"
