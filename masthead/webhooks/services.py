"""Subscribing, turning events into deliveries, delivering, retrying, disabling, redelivering.

A delivery is one event for one subscription, with a fixed `webhook-id` (receivers dedupe on
it, since delivery is at least once). Each try is an `Attempt` row (the newsroom's log). A
failed try schedules the next as a new job: MASTHEAD_WEBHOOKS_BACKOFF_SECONDS × 2^(n-1),
capped at six hours, up to MASTHEAD_WEBHOOKS_MAX_ATTEMPTS; a subscription whose deliveries
fail MASTHEAD_WEBHOOKS_DISABLE_AFTER times in a row is disabled and the admins are told.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from masthead.jobs.registry import enqueue
from masthead.newsroom import policy

from . import signing, transport
from .models import Attempt, Delivery, Subscription

EVENTS = ("article.published", "article.updated", "article.unpublished", "article.deleted",
          "comment.created", "comment.approved")
MAX_BACKOFF = dt.timedelta(hours=6)


def _require_admin(actor) -> None:
    if actor is not None and not policy.can_manage_users(actor):
        raise PermissionDenied("Only administrators can manage webhooks.")


def subscribe(integration, event: str, url: str, *, actor=None) -> Subscription:
    _require_admin(actor)
    if event not in EVENTS:
        raise ValidationError(f"Unknown event {event!r}; choose one of {', '.join(EVENTS)}.")
    if integration.revoked_at is not None:
        raise ValidationError(f"The integration {integration.name!r} is revoked.")
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError("A webhook URL is at most 500 characters.")
    try:
        transport.check(url)
    except transport.Refused as exc:
        raise ValidationError(str(exc)) from None
    if Subscription.objects.filter(integration=integration, event=event, url=url).exists():
        raise ValidationError("That subscription already exists.")
    return Subscription.objects.create(integration=integration, event=event, url=url,
                                       secret=signing.new_secret())


def _may_see(subscription: Subscription, event: str, data: dict) -> bool:
    """Events follow the integration's role: unmoderated comments only reach moderators."""
    if event.startswith("comment.") and data.get("status") != "approved":
        return subscription.integration.user.has_perm("comments.moderate_comment")
    return True


def announce(event: str, data: dict) -> int:
    """Create a delivery per live subscription and enqueue it, in the caller's transaction."""
    from . import tasks

    created = 0
    subscriptions = (Subscription.objects.filter(event=event, active=True,
                                                 integration__revoked_at__isnull=True)
                     .select_related("integration__user"))
    now = timezone.now()
    for subscription in subscriptions:
        if not _may_see(subscription, event, data):
            continue
        delivery = Delivery.objects.create(
            subscription=subscription, event=event, message_id="msg_" + secrets.token_hex(12),
            payload={"type": event, "timestamp": now.isoformat(), "data": data})
        enqueue(tasks.deliver, delivery.pk)
        created += 1
    return created


def _backoff(attempts: int) -> dt.timedelta:
    seconds = settings.MASTHEAD_WEBHOOKS_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


def deliver(delivery_id: int, *, now=None) -> str:
    """One attempt (a job). Safe to run twice: a finished delivery is left alone."""
    delivery = Delivery.objects.select_related("subscription__integration").filter(
        pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return "skipped"
    subscription = delivery.subscription
    if not subscription.active or subscription.integration.revoked_at is not None:
        _finish(delivery, Attempt(delivery=delivery, error="subscription disabled"), final=True)
        return "failed"
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int((now or timezone.now()).timestamp())
    attempt = Attempt(delivery=delivery)
    secret = subscription.secret
    try:
        if not secret:  # no key of the ring opens it (a restore without the data keys)
            raise transport.DeliveryError("the signing secret cannot be decrypted")
        attempt.response_code, attempt.duration_ms = transport.post(
            subscription.url, body,
            signing.headers(secret, delivery.message_id, timestamp, body),
            settings.MASTHEAD_WEBHOOKS_TIMEOUT)
    except (transport.Refused, transport.DeliveryError) as exc:
        attempt.error = str(exc)[:300]
    if not attempt.succeeded and not attempt.error:
        attempt.error = f"HTTP {attempt.response_code}"
    final = attempt.succeeded or delivery.attempts + 1 >= settings.MASTHEAD_WEBHOOKS_MAX_ATTEMPTS
    _finish(delivery, attempt, final=final)
    return "succeeded" if attempt.succeeded else ("failed" if final else "retrying")


@transaction.atomic
def _finish(delivery: Delivery, attempt: Attempt, *, final: bool) -> None:
    from . import tasks

    attempt.save()
    delivery.attempts += 1
    delivery.response_code, delivery.duration_ms = attempt.response_code, attempt.duration_ms
    subscription = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
    if attempt.succeeded:
        delivery.status, delivery.finished_at = Delivery.Status.SUCCEEDED, attempt.at
        subscription.consecutive_failures = 0
    elif final:
        delivery.status, delivery.finished_at = Delivery.Status.FAILED, attempt.at
        subscription.consecutive_failures += 1
        if (subscription.active and subscription.consecutive_failures
                >= settings.MASTHEAD_WEBHOOKS_DISABLE_AFTER):
            subscription.active, subscription.disabled_at = False, attempt.at
            subscription.disabled_reason = (f"{subscription.consecutive_failures} deliveries "
                                            f"in a row failed; last: {attempt.error}")[:300]
            enqueue(tasks.notify_disabled, subscription.pk)
    else:
        enqueue(tasks.deliver, delivery.pk, run_after=timezone.now() + _backoff(delivery.attempts))
    delivery.save(update_fields=["attempts", "response_code", "duration_ms", "status",
                                 "finished_at"])
    subscription.save(update_fields=["consecutive_failures", "active", "disabled_at",
                                     "disabled_reason"])


@transaction.atomic
def redeliver(delivery: Delivery, *, actor=None) -> Delivery:
    """Try again now (same webhook-id); re-enables the subscription, since an admin asked."""
    from . import tasks

    _require_admin(actor)
    Subscription.objects.filter(pk=delivery.subscription_id).update(
        active=True, disabled_at=None, disabled_reason="", consecutive_failures=0)
    delivery.status, delivery.finished_at = Delivery.Status.PENDING, None
    delivery.save(update_fields=["status", "finished_at"])
    enqueue(tasks.deliver, delivery.pk)
    return delivery


def notify_disabled(subscription_id: int) -> int:
    subscription = Subscription.objects.select_related("integration").filter(
        pk=subscription_id).first()
    if subscription is None or subscription.active:
        return 0
    admins = list(get_user_model().objects.filter(is_superuser=True, is_active=True)
                  .exclude(email="").values_list("email", flat=True))
    if not admins:
        return 0
    return send_mail(
        f"[{settings.SITE_NAME}] Webhook disabled: {subscription.integration.name}",
        f"The webhook {subscription.event} → {subscription.url} of the integration "
        f"{subscription.integration.name!r} was disabled: {subscription.disabled_reason}\n\n"
        f"Its delivery log and a Redeliver button: {settings.SITE_URL}/newsroom/webhooks/",
        None, admins)


def rekey(ring, subscription_model=None) -> int:
    """Move every signing secret not under the ring's current key to it (`masthead keys
    rotate`; settings.MASTHEAD_KEYRING_USERS); rows changed. Migrations pass their model."""
    if subscription_model is None:
        subscription_model = Subscription
    stale = subscription_model.objects.exclude(secret_encrypted__startswith=f"k{ring.current}:")
    done = []
    for subscription in stale.only("pk", "secret_encrypted"):
        secret = ring.decrypt(subscription.secret_encrypted)
        if secret is None:
            continue  # no key opens it: left alone (it cannot sign; redeliveries will fail)
        subscription.secret_encrypted = ring.encrypt(secret)
        done.append(subscription)
    return subscription_model.objects.bulk_update(done, ["secret_encrypted"], batch_size=500)
