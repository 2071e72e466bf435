"""Every write of the newsletters app: subscribing, confirming, preferences, leaving, issues.

Views, the CLI and the importers call these and nothing else. Addresses go in and out only
through `privacy` (encrypted at rest, keyed digest for look-ups). Follow-up mail (the
confirmation message, the batches of an issue) is enqueued as durable jobs in the transaction of
the change (masthead/jobs).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from masthead.jobs.registry import enqueue

from . import privacy, tasks
from .models import Delivery, Issue, Newsletter, Subscriber, Subscription

CONFIRMATION_INTERVAL = dt.timedelta(hours=1)
BATCH_SIZE = 500  # recipients per batch job (MASTHEAD_NEWSLETTERS_BATCH_SIZE)


def batch_size() -> int:
    return max(1, int(getattr(settings, "MASTHEAD_NEWSLETTERS_BATCH_SIZE", BATCH_SIZE)))


class NewsletterError(ValueError):
    """Bad input: the message is for the reader (or the CLI's one line); nothing was stored."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def clean_email(value: str) -> str:
    email = privacy.normalise_email(value)
    if not email or len(email) > 254 or any(c in email for c in "\r\n\0"):
        raise NewsletterError("Enter a valid email address.", "email")
    try:
        validate_email(email)
    except ValidationError:
        raise NewsletterError("Enter a valid email address.", "email") from None
    return email


def clean_name(value: str) -> str:
    # A name goes into the To: header; CR or LF there would be header injection.
    if any(c in (value or "") for c in "\r\n\0"):
        raise NewsletterError("A name cannot contain line breaks.", "name")
    name = " ".join((value or "").split())
    if len(name) > 120:
        raise NewsletterError("The name is too long (120 characters at most).", "name")
    return name


def newsletters_by_slug(slugs) -> list[Newsletter]:
    slugs = [s for s in dict.fromkeys(slugs or []) if s]
    found = list(Newsletter.objects.filter(slug__in=slugs, is_active=True))
    if not slugs or len(found) != len(slugs):
        raise NewsletterError("Choose at least one of our newsletters.", "newsletter")
    return found


def find_subscriber(email: str) -> Subscriber | None:
    return Subscriber.objects.filter(email_digest=privacy.email_digest(email)).first()


def address_of(subscriber: Subscriber) -> str:
    return privacy.decrypt_email(subscriber.email_encrypted)


# Subscribing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Subscribed:
    subscriber: Subscriber
    mail_sent: bool  # False when one went out less than an hour ago (or the address bounced)


def subscribe(email: str, slugs, *, name: str = "", source: str = "form",
              now: dt.datetime | None = None) -> Subscribed:
    """Ask for newsletters: a pending subscriber and a confirmation mail (at most one an hour).

    The answer is the same whether the address was new, pending or already confirmed, so the
    form cannot be used to learn who subscribes. A confirmed reader gets their preferences link
    instead of a confirmation (nothing changes without a click from their inbox).
    """
    now = now or timezone.now()
    email, name = clean_email(email), clean_name(name)
    newsletters = newsletters_by_slug(slugs)
    try:
        return _subscribe(email, name, newsletters, source, now)
    except IntegrityError:  # two first sign-ups of one address at once: use the winner's row
        return _subscribe(email, name, newsletters, source, now)


def _subscribe(email, name, newsletters, source, now) -> Subscribed:
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email_digest=privacy.email_digest(email),
            defaults={"email_encrypted": privacy.encrypt_email(email), "name": name,
                      "created_at": now, "source": source},
        )
        if subscriber.status == Subscriber.Status.SUPPRESSED:
            return Subscribed(subscriber, False)
        if subscriber.status != Subscriber.Status.ACTIVE:
            subscriber.status = Subscriber.Status.PENDING
            if name:
                subscriber.name = name
            Subscription.objects.filter(subscriber=subscriber).exclude(
                newsletter__in=newsletters).delete()
            for newsletter in newsletters:
                Subscription.objects.get_or_create(subscriber=subscriber, newsletter=newsletter)
        recent = (subscriber.confirmation_sent_at
                  and subscriber.confirmation_sent_at > now - CONFIRMATION_INTERVAL)
        if recent:
            subscriber.save()
            return Subscribed(subscriber, False)
        if not subscriber.confirm_nonce and subscriber.status == Subscriber.Status.PENDING:
            subscriber.confirm_nonce = secrets.token_urlsafe(12)
        subscriber.confirmation_sent_at = now
        subscriber.save()
        enqueue(tasks.send_confirmation, subscriber.pk)
    return Subscribed(subscriber, True)


def confirm(subscriber_id: int, nonce: str, *, now: dt.datetime | None = None) -> Subscriber:
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None:
            raise NewsletterError("This confirmation link is not valid.")
        if not subscriber.confirm_nonce or not secrets.compare_digest(
                subscriber.confirm_nonce, nonce):
            raise NewsletterError("This confirmation link was already used or replaced by a "
                                  "newer one.")
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.confirmed_at = now or timezone.now()
        subscriber.confirm_nonce = ""
        subscriber.save()
    return subscriber


def set_preferences(subscriber: Subscriber, slugs, *, name: str | None = None) -> None:
    """The reader's choice from the preferences page; none chosen = unsubscribed from all."""
    chosen = newsletters_by_slug(slugs) if slugs else []
    with transaction.atomic():
        Subscription.objects.filter(subscriber=subscriber).exclude(
            newsletter__in=chosen).delete()
        for newsletter in chosen:
            Subscription.objects.get_or_create(subscriber=subscriber, newsletter=newsletter)
        if name is not None:
            subscriber.name = clean_name(name)
        if not chosen and subscriber.status == Subscriber.Status.ACTIVE:
            subscriber.status = Subscriber.Status.UNSUBSCRIBED
        elif chosen and subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.ACTIVE
        subscriber.save()


def unsubscribe(subscriber: Subscriber, newsletter_id: int = 0) -> None:
    """One-click unsubscribe (RFC 8058): from one newsletter, or from all when 0."""
    with transaction.atomic():
        subs = Subscription.objects.filter(subscriber=subscriber)
        if newsletter_id:
            subs = subs.filter(newsletter_id=newsletter_id)
        subs.delete()
        if not Subscription.objects.filter(subscriber=subscriber).exists() and \
                subscriber.status in (Subscriber.Status.ACTIVE, Subscriber.Status.PENDING):
            Subscriber.objects.filter(pk=subscriber.pk).update(
                status=Subscriber.Status.UNSUBSCRIBED)


def suppress(subscriber_id: int, reason: str) -> bool:
    """A hard bounce or a complaint: never mail this address again. True if it changed."""
    return bool(Subscriber.objects.filter(pk=subscriber_id).exclude(
        status=Subscriber.Status.SUPPRESSED).update(
        status=Subscriber.Status.SUPPRESSED, suppressed_reason=reason[:200]))


def erase(email: str) -> int:
    """A reader's erasure request: the subscriber row, subscriptions and ledger rows go."""
    subscriber = find_subscriber(clean_email(email))
    if subscriber is None:
        return 0
    with transaction.atomic():
        subscriber.delete()
    return 1


def export_reader(email: str) -> dict | None:
    """A reader's access request: what we hold about them, as JSON-ready data."""
    subscriber = find_subscriber(clean_email(email))
    if subscriber is None:
        return None
    return {
        "email": address_of(subscriber), "name": subscriber.name, "status": subscriber.status,
        "created_at": subscriber.created_at.isoformat(),
        "confirmed_at": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
        "source": subscriber.source, "suppressed_reason": subscriber.suppressed_reason,
        "newsletters": sorted(subscriber.subscriptions.values_list("newsletter__slug",
                                                                    flat=True)),
        "issues_sent": subscriber.deliveries.filter(status=Delivery.Status.SENT).count(),
    }


# Issues ---------------------------------------------------------------------------------------

def create_issue(newsletter: Newsletter, subject: str, *, introduction: str = "",
                 article_ids=(), user=None, period: str = "", article=None) -> Issue:
    subject = " ".join((subject or "").split())
    if not subject:
        raise NewsletterError("An issue needs a subject.", "subject")
    if len(subject) > 200:
        raise NewsletterError("The subject is too long (200 characters at most).", "subject")
    return Issue.objects.create(newsletter=newsletter, subject=subject,
                                introduction=introduction or "",
                                article_ids=[int(a) for a in article_ids], created_by=user,
                                period=period, article=article)


def send_issue(issue: Issue, *, at: dt.datetime | None = None) -> Issue:
    """Send now, or schedule for `at`. Idempotent: a sent or sending issue is left alone."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
            raise NewsletterError(f"This issue is already {issue.get_status_display().lower()}.")
        if at is not None and at > timezone.now():
            issue.status, issue.scheduled_for = Issue.Status.SCHEDULED, at
            issue.save(update_fields=["status", "scheduled_for"])
            enqueue(tasks.start_issue, issue.pk, run_after=at)
            return issue
        _start(issue)
    return issue


def start_scheduled(issue_id: int) -> None:
    """The scheduled job: start the issue if it is still scheduled and due."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(
            pk=issue_id, status=Issue.Status.SCHEDULED).first()
        if issue is not None and (issue.scheduled_for is None
                                  or issue.scheduled_for <= timezone.now()):
            _start(issue)


def _start(issue: Issue) -> None:
    """Write the ledger (one row per confirmed subscriber) and one job per batch, in one
    transaction: the recipients are fixed when sending starts."""
    table, subs, subscriber = (Delivery._meta.db_table, Subscription._meta.db_table,
                               Subscriber._meta.db_table)
    size = batch_size()
    with connection.cursor() as cursor:
        # One statement however many subscribers (100,000 Python objects would take seconds).
        cursor.execute(
            f"INSERT INTO {table} (issue_id, subscriber_id, batch, status, attempts, last_error)"
            f" SELECT %s, s.subscriber_id,"
            f" (ROW_NUMBER() OVER (ORDER BY s.subscriber_id) - 1) / %s, %s, 0, ''"
            f" FROM {subs} s JOIN {subscriber} r ON r.id = s.subscriber_id"
            f" WHERE s.newsletter_id = %s AND r.status = %s",
            [issue.pk, size, Delivery.Status.PENDING, issue.newsletter_id,
             Subscriber.Status.ACTIVE],
        )
        count = cursor.rowcount
    issue.status, issue.started_at = Issue.Status.SENDING, timezone.now()
    issue.save(update_fields=["status", "started_at"])
    batches = (count + size - 1) // size
    for batch in range(batches):
        enqueue(tasks.send_batch, issue.pk, batch)
    if not batches:
        finish_if_done(issue.pk)


def finish_if_done(issue_id: int) -> bool:
    open_rows = Delivery.objects.filter(issue_id=issue_id, status__in=[
        Delivery.Status.PENDING, Delivery.Status.CLAIMED, Delivery.Status.DEFERRED]).exists()
    if open_rows:
        return False
    return bool(Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
        status=Issue.Status.SENT, finished_at=timezone.now()))


def progress(issue: Issue) -> dict[str, int]:
    counts = {s: 0 for s in Delivery.Status.values}
    for row in issue.deliveries.values("status").order_by().annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
