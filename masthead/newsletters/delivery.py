"""Sending one batch of an issue: claim a recipient, hand the message to SMTP, mark it.

The per-recipient ledger (`Delivery`) is what makes a send safe to repeat after a worker dies:

1. **claim** — `UPDATE ... SET status='claimed', lease_until=now+lease WHERE id=? AND status IN
   ('pending','deferred')`, committed *before* the SMTP transaction. Only the runner whose
   update matched sends; a second runner of the same batch (a job put back while its worker was
   only slow) skips the row.
2. **SMTP** — MAIL, RCPT, DATA on the batch's one connection.
3. **mark** — `sent` after the 250, committed in the same transaction as the next row's claim
   (one commit per message, not two).

A worker killed between 1 and 3 leaves a `claimed` row. When the batch runs again and the lease
has run out, that row becomes `in_doubt` and is **not** sent again: if the kill came after the
server's 250 the reader has their copy, if before they have none, and nothing on this side can
tell which. At most `concurrency` rows per killed worker end in doubt; docs/newsletters.md,
"Delivery guarantee", says why at-most-once beats a duplicate for a newsletter.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from masthead.core import ratelimit

from . import services
from .mail import IssueMail, envelope_sender
from .models import Delivery, Issue, Subscriber, Subscription
from .transport import TransportError, open_transport

log = logging.getLogger("masthead.newsletters")

MAX_ATTEMPTS = 5
OPEN = [Delivery.Status.PENDING, Delivery.Status.DEFERRED]


class BatchNotFinished(Exception):
    """Some recipients got a temporary failure (4xx) or are claimed by a live runner: the job
    queue runs the batch again after its backoff."""


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "MASTHEAD_NEWSLETTERS_LEASE_SECONDS", 120))


RATE_BUCKET = "newsletters-send"


def pace() -> None:
    """Wait for room under MASTHEAD_NEWSLETTERS_RATE, messages a second from every sending
    thread, worker and server together (core.ratelimit: one counter in the database, or Redis
    when the cache is Redis). 0, the default, sends as fast as the SMTP server takes."""
    rate = float(getattr(settings, "MASTHEAD_NEWSLETTERS_RATE", 0) or 0)
    if rate > 0:
        ratelimit.throttle(RATE_BUCKET, rate)


def send_batch(issue_id: int, batch: int) -> dict:
    issue = Issue.objects.select_related("newsletter").filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SENDING:
        return {"skipped": True}
    now = timezone.now()
    rows = Delivery.objects.filter(issue_id=issue_id, batch=batch)
    rows.filter(status=Delivery.Status.CLAIMED, lease_until__lt=now).update(
        status=Delivery.Status.IN_DOUBT, last_error="sender stopped between claim and mark")
    todo = list(rows.filter(status__in=OPEN).order_by("id").values_list("id", "subscriber_id"))
    subscribers = {s.pk: s for s in Subscriber.objects.filter(pk__in=[s for _, s in todo])}
    wanted = set(Subscription.objects.filter(
        newsletter_id=issue.newsletter_id, subscriber_id__in=list(subscribers),
        subscriber__status=Subscriber.Status.ACTIVE).values_list("subscriber_id", flat=True))
    content = IssueMail(issue)
    transport = open_transport()
    mark: tuple | None = None  # (delivery id, field updates) waiting for the next commit
    counts = {"sent": 0, "deferred": 0, "failed": 0, "skipped": 0}
    try:
        for delivery_id, subscriber_id in todo:
            with transaction.atomic():
                _apply(mark)
                mark = None
                claimed = Delivery.objects.filter(id=delivery_id, status__in=OPEN).update(
                    status=Delivery.Status.CLAIMED, lease_until=timezone.now() + lease())
            if not claimed:
                continue
            subscriber = subscribers.get(subscriber_id)
            if subscriber is None or subscriber_id not in wanted:
                mark = (delivery_id, {"status": Delivery.Status.SKIPPED})
                counts["skipped"] += 1
                continue
            address = services.address_of(subscriber)
            pace()
            try:
                outcome = transport.send(envelope_sender(issue.newsletter, subscriber_id,
                                                         issue_id),
                                         address, content.message_bytes(subscriber, address))
            except TransportError as exc:
                # Refused or dropped before the server's answer to DATA: not accepted.
                _apply((delivery_id, _deferred(delivery_id, str(exc))))
                raise BatchNotFinished(str(exc)) from exc
            if outcome.accepted:
                mark = (delivery_id, {"status": Delivery.Status.SENT,
                                      "sent_at": timezone.now()})
                counts["sent"] += 1
            elif outcome.temporary:
                mark = (delivery_id, _deferred(delivery_id, _scrub(outcome, address)))
                counts["deferred"] += 1
            else:
                mark = (delivery_id, {"status": Delivery.Status.FAILED,
                                      "last_error": _scrub(outcome, address)})
                services.suppress(subscriber_id, f"hard bounce at send: {outcome.code}")
                counts["failed"] += 1
        with transaction.atomic():
            _apply(mark)
            mark = None
    finally:
        transport.close()
    waiting = rows.filter(status__in=[Delivery.Status.DEFERRED, Delivery.Status.CLAIMED])
    if waiting.exists():
        raise BatchNotFinished(f"{waiting.count()} recipient(s) of batch {batch} to retry")
    services.finish_if_done(issue_id)
    return counts


def _scrub(outcome, address: str) -> str:
    """The server's answer without the address it usually quotes: the ledger stays private."""
    text = re.sub(re.escape(address), "<recipient>", outcome.text, flags=re.I)
    return f"{outcome.code} {text}"[:300]


def _deferred(delivery_id: int, error: str) -> dict:
    attempts = Delivery.objects.filter(id=delivery_id).values_list("attempts", flat=True)[0] + 1
    status = Delivery.Status.FAILED if attempts >= MAX_ATTEMPTS else Delivery.Status.DEFERRED
    return {"status": status, "attempts": attempts, "last_error": error[:300],
            "lease_until": None}


def _apply(mark) -> None:
    if mark is not None:
        delivery_id, fields = mark
        Delivery.objects.filter(id=delivery_id, status=Delivery.Status.CLAIMED).update(**fields)
