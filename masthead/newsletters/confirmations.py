"""The double opt-in mail: one confirmation link, sent by a job (`tasks.send_confirmation`)."""

from __future__ import annotations

from django.conf import settings

from . import services
from .mail import confirmation_message
from .models import Subscriber
from .transport import TransportError, open_transport


def send(subscriber_id: int) -> None:
    subscriber = Subscriber.objects.filter(pk=subscriber_id,
                                           status=Subscriber.Status.PENDING).first()
    if subscriber is None or not subscriber.confirm_nonce:
        return  # confirmed, left or erased since: nothing to send
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
