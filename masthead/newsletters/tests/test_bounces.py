"""`masthead newsletters bounces`: RFC 3464 reports and ARF complaints suppress addresses."""

from __future__ import annotations

import io
import sys

from django.core.management import call_command

from masthead.newsletters import services
from masthead.newsletters.mail import envelope_sender, message_id
from masthead.newsletters.models import Delivery, Subscriber

from .conftest import TRANSACTIONAL, make_subscribers

pytestmark = TRANSACTIONAL


def dsn(to: str, final_recipient: str, status: str = "5.1.1", action: str = "failed",
        original_id: str = "<unknown@example.net>") -> bytes:
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: {to}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

The message could not be delivered.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {final_recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--b1
Content-Type: text/rfc822-headers

Message-ID: {original_id}
Subject: Morning

--b1--
""".replace("\n", "\r\n").encode()


def _run(raw: bytes, monkeypatch) -> tuple[str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out, err = io.StringIO(), io.StringIO()
    call_command("newsletters", "bounces", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_verp_bounce_suppresses_its_subscriber_and_marks_the_delivery(smtp, newsletter,
                                                                         monkeypatch):
    subs = make_subscribers(newsletter, 2)
    issue = services.send_issue(services.create_issue(newsletter, "Morning"))
    to = envelope_sender(newsletter, subs[1].pk, issue.pk)
    out, _ = _run(dsn(to, "reader1@example.org"), monkeypatch)
    assert '"suppressed": 1' in out
    assert Subscriber.objects.get(pk=subs[1].pk).status == "suppressed"
    assert Subscriber.objects.get(pk=subs[0].pk).status == "active"
    assert Delivery.objects.get(issue=issue, subscriber=subs[1]).status == "bounced"


def test_the_original_message_id_or_the_final_recipient_also_identify(newsletter, monkeypatch):
    subs = make_subscribers(newsletter, 3)
    mbox = (b"From MAILER-DAEMON Thu Dec  3 10:00:00 2026\n"
            + dsn("bounces@example.org", "x@elsewhere.example", original_id=message_id(
                subs[0].pk, 7)).replace(b"\r\n", b"\n")
            + b"\nFrom MAILER-DAEMON Thu Dec  3 10:00:01 2026\n"
            + dsn("bounces@example.org", "reader2@example.org").replace(b"\r\n", b"\n"))
    out, _ = _run(mbox, monkeypatch)
    assert '"messages": 2' in out and '"suppressed": 2' in out
    assert set(Subscriber.objects.filter(status="suppressed").values_list("pk", flat=True)) \
        == {subs[0].pk, subs[2].pk}


def test_delayed_reports_and_forged_tags_suppress_nobody(newsletter, monkeypatch):
    subs = make_subscribers(newsletter, 1)
    forged = f"bounces+nl-{subs[0].pk}-1-000000000000@example.org"
    out, err = _run(dsn(forged, "someone@else.example") +
                    b"", monkeypatch)
    assert '"suppressed": 0' in out and "no subscriber of ours" in err
    out, err = _run(dsn("b@example.org", "reader0@example.org", status="4.2.2",
                        action="delayed"), monkeypatch)
    assert '"suppressed": 0' in out and "no permanent failure" in err
    assert Subscriber.objects.get().status == "active"


def test_a_complaint_suppresses(newsletter, monkeypatch):
    subs = make_subscribers(newsletter, 1)
    arf = f"""From: abuse@mailbox.example
To: {envelope_sender(newsletter, subs[0].pk, 3)}
Subject: complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="x"

--x
Content-Type: text/plain

This is a spam complaint.
--x
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: test/1.0
Version: 1

--x--
""".encode()
    out, _ = _run(arf, monkeypatch)
    assert '"suppressed": 1' in out
    assert Subscriber.objects.get().suppressed_reason.startswith("complaint")
