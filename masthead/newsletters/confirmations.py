"""The double opt-in mail, sent by a job (`tasks.send_confirmation`): a confirmation link for a
pending subscriber; for one already confirmed, their preferences link instead (the form
changes nothing for them: only a click from their own inbox does)."""

from __future__ import annotations

from django.conf import settings

from . import services
from .mail import confirmation_message
from .models import Subscriber
from .transport import TransportError, open_transport


def send(subscriber_id: int) -> None:
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status__in=[
        Subscriber.Status.PENDING, Subscriber.Status.ACTIVE]).first()
    if subscriber is None:
        return  # left, suppressed or erased since: nothing to send
    if subscriber.status == Subscriber.Status.PENDING and not subscriber.confirm_nonce:
        return
    newsletters = [s.newsletter for s in subscriber.subscriptions.select_related("newsletter")]
    address = services.address_of(subscriber)
    transport = open_transport()
    try:
        outcome = transport.send(settings.DEFAULT_FROM_EMAIL, address,
                                 confirmation_message(subscriber, address, newsletters))
    finally:
        transport.close()
    if outcome.temporary:
        raise TransportError(f"{outcome.code} {outcome.text}")  # the job queue retries
    if not outcome.accepted:
        services.suppress(subscriber_id, f"confirmation refused: {outcome.code}")
