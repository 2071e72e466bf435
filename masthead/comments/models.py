"""Comments and what the comment machinery keeps beside them.

- `Comment`: one row per comment, threaded by `parent`, with moderation state. The commenter's
  email is stored only as `email_encrypted` (Fernet) and `email_digest` (keyed HMAC, for
  auto-approval, rate limits and erasure); no field holds it in clear, so no template,
  serializer or feed can leak it by accident.
- `Commenter`: one row per email digest that proved it owns its address (signed link), for
  auto-approval and the double opt-in of reply notifications.
- `SpamModelRecord` / `TrainingExample`: the learned spam filter, persisted in the database so
  every server process scores with the same model (STYLE: no per-process state that diverges).
- `JobLease`: lets one of several server processes claim a periodic job (retraining).
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

    def by_email_digest(self, digest: str):
        return self.filter(email_digest=digest) if digest else self.none()

    def moderator_decisions(self):
        """Approve/spam decisions taken by people: what the spam filter learns from."""
        return self.filter(
            moderated_at__isnull=False,
            status__in=[Comment.Status.APPROVED, Comment.Status.SPAM],
        ).order_by("moderated_at", "id")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    article = models.ForeignKey(  # indexed as the first column of `comment_article`
        "articles.Article", on_delete=models.CASCADE, related_name="comments", db_index=False
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
    status = models.CharField(  # indexed as the first column of `comment_queue`
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    spam_score = models.FloatField(null=True, blank=True)
    user = models.ForeignKey(  # set when a staff member replies from the newsroom
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    external_key = models.CharField(max_length=255, blank=True, default="")

    # Added by the posting and moderation services (migration 0002); all have defaults so
    # importers and the demo loader, which bulk-create comments, keep working unchanged.
    spam_verdict = models.CharField(max_length=4, blank=True, default="")  # ham|hold|spam
    hold_reason = models.CharField(max_length=120, blank=True, default="")
    submission_key = models.CharField(max_length=64, blank=True, default="")
    notify_replies = models.BooleanField(default=False)
    reply_notified_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", "Can moderate comments")]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article"),
            models.Index(fields=["status", "-created_at"], name="comment_queue"),
            models.Index(fields=["status", "spam_score"], name="comment_queue_score"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "external_key"], condition=~models.Q(external_key=""),
                name="comment_external_key_unique",
            ),
            # One comment per form submission: a double click or a retried POST hits this.
            models.UniqueConstraint(
                fields=["submission_key"], condition=~models.Q(submission_key=""),
                name="comment_submission_once",
            ),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article_id}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"


class Commenter(models.Model):
    """An email address (by digest) that has clicked a signed confirmation link."""

    email_digest = models.CharField(max_length=64, unique=True)
    email_encrypted = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Confirmation mails are rate-limited per address so the form cannot mail-bomb anyone.
    last_mailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"commenter {self.email_digest[:8]}"


class SpamModelRecord(models.Model):
    """A trained spam model as bytes (see spam/storage.py); the newest row is the live one."""

    created_at = models.DateTimeField(default=timezone.now)
    data = models.BinaryField()
    info = models.JSONField(default=dict)
    # The newest moderator decision included, so the retrain job knows when it is stale.
    trained_through = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]


class TrainingExample(models.Model):
    """A labelled comment given to `masthead comments train` (the base set of the filter)."""

    body = models.TextField()
    author = models.CharField(max_length=200, blank=True, default="")
    url = models.CharField(max_length=400, blank=True, default="")
    is_spam = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)


class JobLease(models.Model):
    """A named periodic job claimed by one process until `until` (see `jobs.py`)."""

    name = models.CharField(max_length=60, unique=True)
    until = models.DateTimeField()
