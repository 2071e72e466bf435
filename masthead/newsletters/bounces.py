"""Reading bounces and complaints: RFC 3464 delivery status notifications and RFC 5965 (ARF)
feedback reports, from one message or an mbox, into suppressions.

A report is tied to its subscriber by what we put in the message, in this order: the signed
VERP tag of the address it was returned to (`bounces+nl-<sub>-<issue>-<sig>@`), the signed
Message-ID of the returned original, and last the Final-Recipient's address digest. Only a
permanent failure (Action: failed, Status 5.x.x) or a complaint suppresses; a delayed or
temporary report is counted and ignored.
"""

from __future__ import annotations

import email
import mailbox
import os
import tempfile
from dataclasses import dataclass, field
from email import policy
from email.message import Message

from . import services
from .mail import read_tag
from .models import Delivery

TO_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "Return-Path", "To")


@dataclass
class Report:
    messages: int = 0
    suppressed: int = 0
    ignored: list[str] = field(default_factory=list)


def read_messages(raw: bytes) -> list[Message]:
    """One RFC 5322 message, or an mbox ("From " separator lines)."""
    if raw.startswith(b"From "):
        with tempfile.NamedTemporaryFile(delete=False) as fh:
            fh.write(raw)
        try:
            box = mailbox.mbox(fh.name, factory=None, create=False)
            return [email.message_from_bytes(m.as_bytes(), policy=policy.default)
                    for m in box]
        finally:
            os.unlink(fh.name)
    if not raw.strip():
        return []
    return [email.message_from_bytes(raw, policy=policy.default)]


def _kind(msg: Message) -> str:
    if msg.get_content_type() != "multipart/report":
        return ""
    return (msg.get_param("report-type") or "").lower()


def _status_blocks(msg: Message) -> list[Message]:
    blocks = []
    for part in msg.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                blocks += payload[1:]  # the first block is per-message, the rest per-recipient
    return blocks


def _original_headers(msg: Message) -> str:
    texts = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("text/rfc822-headers",):
            texts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
        elif ctype == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                texts.append(str(inner[0].get("Message-ID", "")))
    return "\n".join(texts)


def _subscriber_of(msg: Message, final_recipient: str = "") -> tuple[int, int] | None:
    for name in TO_HEADERS:
        for value in msg.get_all(name) or []:
            found = read_tag(str(value))
            if found:
                return found
    found = read_tag(_original_headers(msg))
    if found:
        return found
    address = final_recipient.split(";", 1)[-1].strip()
    if address:
        subscriber = services.find_subscriber(address)
        if subscriber is not None:
            return subscriber.pk, 0
    return None


def process(raw: bytes) -> Report:
    report = Report()
    for n, msg in enumerate(read_messages(raw), start=1):
        report.messages += 1
        kind = _kind(msg)
        if kind == "feedback-report":
            who = _subscriber_of(msg)
            if who is None:
                report.ignored.append(f"message {n}: complaint for no subscriber of ours")
            elif _suppress(who, "complaint (feedback report)"):
                report.suppressed += 1
            continue
        if kind != "delivery-status":
            report.ignored.append(f"message {n}: not a delivery status notification")
            continue
        permanent = [b for b in _status_blocks(msg)
                     if str(b.get("Action", "")).strip().lower() == "failed"
                     and str(b.get("Status", "")).strip().startswith("5")]
        if not permanent:
            report.ignored.append(f"message {n}: no permanent failure (delayed or temporary)")
            continue
        who = _subscriber_of(msg, str(permanent[0].get("Final-Recipient", "")))
        if who is None:
            report.ignored.append(f"message {n}: bounce for no subscriber of ours")
            continue
        status = str(permanent[0].get("Status", "")).strip()
        if _suppress(who, f"hard bounce {status}"):
            report.suppressed += 1
    return report


def _suppress(who: tuple[int, int], reason: str) -> bool:
    subscriber_id, issue_id = who
    if issue_id:
        Delivery.objects.filter(issue_id=issue_id, subscriber_id=subscriber_id).update(
            status=Delivery.Status.BOUNCED, last_error=reason[:300])
    return services.suppress(subscriber_id, reason)
