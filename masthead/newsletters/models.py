"""Newsletters, subscribers, subscriptions, issues and the per-recipient delivery ledger.

No field holds an address in clear: `Subscriber.email_encrypted` (Fernet) and
`Subscriber.email_digest` (keyed HMAC, unique, for look-ups), as for commenters
(masthead/comments/privacy.py). So no template, API answer or export can show an address by
accident; only `services.address_of` decrypts, for sending and for the reader's own requests.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class Newsletter(models.Model):
    class Kind(models.TextChoices):
        MANUAL = "manual", "Issues an editor writes and sends"
        DIGEST = "digest", "Digest of the latest stories"
        SECTIONS = "sections", "Stories of chosen sections"

    class Cadence(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    sender_name = models.CharField(max_length=120, blank=True)
    sender_email = models.EmailField()
    reply_to = models.EmailField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MANUAL)
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.DAILY)
    # The hour (0-23, the newsroom's time zone) automatic issues go out; weekly: on `weekday`.
    send_hour = models.PositiveSmallIntegerField(default=7)
    weekday = models.PositiveSmallIntegerField(default=0)  # Monday = 0
    sections = models.ManyToManyField("articles.Section", blank=True)
    public_archive = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("send_newsletter", "Can write and send newsletter issues"),
            ("view_subscriber_addresses", "Can see subscriber addresses"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsletters:archive", args=[self.slug])


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Left"
        SUPPRESSED = "suppressed", "Suppressed (bounce or complaint)"

    email_encrypted = models.TextField()
    email_digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # A random value the confirmation link carries; cleared on use so a link works once.
    confirm_nonce = models.CharField(max_length=32, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # Where the consent came from: "form", "import:ghost", "cli", ...
    source = models.CharField(max_length=40, blank=True)
    suppressed_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"subscriber {self.pk}"  # never the address


class Subscription(models.Model):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="subscriptions")
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE,
                                   related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscriber", "newsletter"],
                                               name="one_subscription_per_newsletter")]


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="issues")
    subject = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)  # Markdown
    # Article ids in the order the editor chose them (a list, so the order is kept).
    article_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Automatic issues: the period they cover ("2026-12-04", "2026-W49"), unique per
    # newsletter, so several workers running the digest sweep make one issue, not several.
    period = models.CharField(max_length=20, blank=True)
    # An article sent as an email when it was published (ArticleEmail): unique per newsletter,
    # so a republish, a retried job or two servers racing make one issue, never a second.
    article = models.ForeignKey("articles.Article", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "period"], condition=~models.Q(period=""),
                name="one_automatic_issue_per_period"),
            models.UniqueConstraint(
                fields=["newsletter", "article"], condition=models.Q(article__isnull=False),
                name="one_issue_per_article_per_newsletter"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("newsletters:issue", args=[self.newsletter.slug, self.pk])


class ArticleEmail(models.Model):
    """An editor's choice: send this article to this newsletter when it is published.

    Kept whatever happens to the article; `article_mail.send_article` acts on it once, on the
    article's transition to published (the `Issue.article` constraint makes it once).
    """

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE,
                                   related_name="article_emails")
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "newsletter"],
                                               name="one_article_email_per_newsletter")]


class Delivery(models.Model):
    """One recipient of one issue: the ledger behind "exactly one copy".

    pending -> claimed (committed *before* the SMTP transaction, with a lease) -> sent (committed
    after the server's 250). A claimed row whose lease ran out without a mark is `in_doubt`: the
    sender died between claim and mark, and whether the server accepted the message cannot be
    known from here. It is not sent again (a duplicate is worse than a gap; docs/newsletters.md).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        CLAIMED = "claimed", "Sending"
        SENT = "sent", "Sent"
        DEFERRED = "deferred", "Retrying (temporary failure)"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SKIPPED = "skipped", "Skipped (unsubscribed before its turn)"
        IN_DOUBT = "in_doubt", "In doubt (sender died mid-send)"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="deliveries")
    batch = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "subscriber"],
                                               name="one_delivery_per_subscriber_per_issue")]
        indexes = [models.Index(fields=["issue", "batch", "status"])]
