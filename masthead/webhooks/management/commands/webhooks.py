"""`masthead webhooks add INTEGRATION EVENT URL | list [--json] | deliveries [--json] |
redeliver DELIVERY_ID`.

`add` prints the subscription's signing secret (`whsec_...`) for the receiver. The URL is
checked like every delivery: private and loopback targets are refused unless
MASTHEAD_WEBHOOKS_ALLOW_PRIVATE=1. Bad input: one line on stderr, exit 2, nothing stored.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from masthead.integrations import services as integrations
from masthead.webhooks import services
from masthead.webhooks.models import Delivery, Subscription


class Command(BaseCommand):
    help = "Webhook subscriptions of integrations: add, list, redeliver."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="SUBCOMMAND")
        add = sub.add_parser("add", help="subscribe an integration to an event")
        add.add_argument("integration")
        add.add_argument("event", help=", ".join(services.EVENTS))
        add.add_argument("url")
        listing = sub.add_parser("list", help="subscriptions and their state")
        listing.add_argument("--json", action="store_true", help="one JSON object a line")
        log = sub.add_parser("deliveries", help="recent deliveries with every attempt")
        log.add_argument("--json", action="store_true", help="one JSON object a line")
        log.add_argument("--limit", type=int, default=50)
        again = sub.add_parser("redeliver", help="send a delivery again now")
        again.add_argument("delivery", type=int)

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as exc:
            raise CommandError(exc.messages[0], returncode=2) from None

    def _add(self, integration, event, url, **_):
        subscription = services.subscribe(integrations.find(integration), event, url)
        self.stdout.write(f"Webhook {subscription.pk}: {event} → {subscription.url}\n"
                          f"Signing secret: {subscription.secret}")

    def _list(self, json=False, **_):  # noqa: A002
        for s in Subscription.objects.select_related("integration"):
            row = {"id": s.pk, "integration": s.integration.name, "event": s.event,
                   "url": s.url, "active": s.active,
                   "consecutive_failures": s.consecutive_failures,
                   "disabled_reason": s.disabled_reason or None}
            self.stdout.write(_dumps(row) if json else
                              f"{s.pk}\t{s.integration.name}\t{s.event}\t{s.url}\t"
                              f"{'active' if s.active else 'DISABLED: ' + s.disabled_reason}")

    def _deliveries(self, json=False, limit=50, **_):  # noqa: A002
        recent = (Delivery.objects.select_related("subscription__integration")
                  .prefetch_related("log")[:max(1, min(limit, 1000))])
        for d in recent:
            row = {"id": d.pk, "integration": d.subscription.integration.name,
                   "event": d.event, "webhook_id": d.message_id, "status": d.status,
                   "attempts": [{"at": a.at.isoformat(), "response_code": a.response_code,
                                 "duration_ms": a.duration_ms, "error": a.error or None}
                                for a in d.log.all()]}
            self.stdout.write(_dumps(row) if json else
                              f"{d.pk}\t{row['integration']}\t{d.event}\t{d.status}\t"
                              + " ".join(str(a["response_code"] or a["error"])
                                         for a in row["attempts"]))

    def _redeliver(self, delivery, **_):
        found = Delivery.objects.filter(pk=delivery).first()
        if found is None:
            raise ValidationError(f"No delivery {delivery}.")
        services.redeliver(found)
        self.stdout.write(f"Delivery {delivery} queued again.")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
