"""Sending an issue through the job queue to a real SMTP server: the copy each reader gets,
one-click unsubscribe, retries on 4xx, suppression on 5xx, the in-doubt rule."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from masthead.newsletters import delivery, services
from masthead.newsletters.mail import message_id, read_tag
from masthead.newsletters.models import Delivery, Issue, Subscriber

from .conftest import TRANSACTIONAL, make_subscribers

pytestmark = TRANSACTIONAL


def _send(newsletter, subject="Café au lait — the morning’s news", **kwargs):
    issue = services.create_issue(newsletter, subject, introduction="Good *morning*.", **kwargs)
    return services.send_issue(issue)


def test_each_confirmed_subscriber_gets_one_complete_copy(smtp, newsletter):
    subs = make_subscribers(newsletter, 3)
    make_subscribers(newsletter, 1, start=50, status="pending")  # not confirmed: nothing
    Subscriber.objects.filter(pk=subs[0].pk).update(name="Zoë Ünïcode")
    issue = _send(newsletter)
    assert sorted(smtp.ledger.by_recipient()) == [f"reader{n}@example.org" for n in range(3)]
    assert Issue.objects.get(pk=issue.pk).status == "sent"
    received = {r.recipient: r for r in smtp.ledger.received}
    first = received["reader0@example.org"]
    msg = first.message
    assert msg["Subject"] == "Café au lait — the morning’s news"
    assert str(msg["To"]) == "Zoë Ünïcode <reader0@example.org>"
    assert msg["Reply-To"] == "editor@example.org"
    assert msg["Message-ID"] == message_id(subs[0].pk, issue.pk)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = msg["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://127.0.0.1:8000/newsletters/unsubscribe/")
    assert read_tag(first.sender) == (subs[0].pk, issue.pk)  # VERP envelope sender
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Good *morning*." in text and unsubscribe in text
    assert "<em>morning</em>" in html and 'style="' in html  # CSS inlined
    assert "prefers-color-scheme: dark" in html  # the dark-mode rules kept for clients
    assert unsubscribe in html and "__unsubscribe__" not in html
    assert "<img" not in html or "alt=" in html
    assert b"\r\n.\r\n" not in first.data  # well-formed transfer


def test_one_click_unsubscribe_by_post_stops_the_next_issue(client, smtp, newsletter):
    make_subscribers(newsletter, 2)
    _send(newsletter)
    msg = next(r.message for r in smtp.ledger.received if r.recipient == "reader1@example.org")
    path = urlsplit(msg["List-Unsubscribe"].strip("<>")).path
    assert client.get(path).status_code == 200  # a GET only shows the button
    assert Subscriber.objects.filter(status="active").count() == 2
    response = client.post(path, "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    smtp.ledger.received.clear()
    _send(newsletter, subject="Second")
    assert list(smtp.ledger.by_recipient()) == ["reader0@example.org"]


def test_a_temporary_failure_is_retried_and_then_delivered(smtp, newsletter, settings):
    settings.MASTHEAD_JOBS_EAGER = "none"  # drive the batch by hand
    make_subscribers(newsletter, 2)
    smtp.once["reader1@example.org"] = "451 4.7.1 Greylisted, try again later"
    issue = _send(newsletter)
    with pytest.raises(delivery.BatchNotFinished):
        delivery.send_batch(issue.pk, 0)
    row = Delivery.objects.get(subscriber__email_digest=services.privacy.email_digest(
        "reader1@example.org"))
    assert row.status == "deferred" and row.last_error.startswith("451")
    assert Issue.objects.get(pk=issue.pk).status == "sending"
    delivery.send_batch(issue.pk, 0)  # the job queue's retry
    assert smtp.ledger.by_recipient() == {"reader0@example.org": 1, "reader1@example.org": 1}
    assert Issue.objects.get(pk=issue.pk).status == "sent"


def test_a_failing_batch_goes_back_to_the_queue_with_backoff(smtp, newsletter, settings):
    from django_tasks_db.models import DBTaskResult

    from masthead.jobs import running

    settings.MASTHEAD_JOBS_EAGER = "none"
    make_subscribers(newsletter, 1)
    smtp.once["reader0@example.org"] = "421 4.3.2 Service shutting down"
    _send(newsletter)
    row = running.claim_next("test-worker")
    assert row is not None and not running.run_claimed(row)
    job = DBTaskResult.objects.get(pk=row.pk)
    assert job.status == "READY" and job.run_after > timezone.now()


def test_a_permanent_failure_suppresses_the_address(smtp, newsletter):
    make_subscribers(newsletter, 2)
    smtp.answers["reader0@example.org"] = "550 5.1.1 <reader0@example.org>: No such user"
    issue = _send(newsletter)
    assert smtp.ledger.by_recipient() == {"reader1@example.org": 1}
    assert Subscriber.objects.get(status="suppressed").suppressed_reason.startswith("hard")
    assert Issue.objects.get(pk=issue.pk).status == "sent"
    assert services.progress(issue)["failed"] == 1
    failed = Delivery.objects.get(status="failed")
    assert failed.last_error == "550 5.1.1 <<recipient>>: No such user"  # no address kept


def test_a_claim_left_by_a_dead_sender_is_in_doubt_and_not_sent_again(smtp, newsletter,
                                                                       settings):
    settings.MASTHEAD_JOBS_EAGER = "none"
    make_subscribers(newsletter, 3)
    issue = _send(newsletter)
    dead = Delivery.objects.filter(issue=issue).order_by("id").first()
    Delivery.objects.filter(pk=dead.pk).update(
        status="claimed", lease_until=timezone.now() - dt.timedelta(seconds=1))
    delivery.send_batch(issue.pk, 0)
    assert len(smtp.ledger.received) == 2
    assert Delivery.objects.get(pk=dead.pk).status == "in_doubt"
    assert Issue.objects.get(pk=issue.pk).status == "sent"


def test_a_live_claim_makes_the_batch_come_back_later(smtp, newsletter, settings):
    settings.MASTHEAD_JOBS_EAGER = "none"
    make_subscribers(newsletter, 2)
    issue = _send(newsletter)
    busy = Delivery.objects.filter(issue=issue).first()
    Delivery.objects.filter(pk=busy.pk).update(
        status="claimed", lease_until=timezone.now() + dt.timedelta(minutes=1))
    with pytest.raises(delivery.BatchNotFinished):
        delivery.send_batch(issue.pk, 0)
    assert len(smtp.ledger.received) == 1  # the claimed row is someone else's to send


def test_sending_twice_is_refused(smtp, newsletter):
    make_subscribers(newsletter, 1)
    issue = _send(newsletter)
    with pytest.raises(services.NewsletterError):
        services.send_issue(issue)
    assert len(smtp.ledger.received) == 1


def test_a_scheduled_issue_waits_for_its_time(smtp, newsletter, settings):
    settings.MASTHEAD_JOBS_EAGER = "none"
    make_subscribers(newsletter, 1)
    issue = services.create_issue(newsletter, "Later")
    issue = services.send_issue(issue, at=timezone.now() + dt.timedelta(hours=1))
    assert issue.status == "scheduled" and not Delivery.objects.exists()
    services.start_scheduled(issue.pk)  # too early: nothing
    assert Issue.objects.get(pk=issue.pk).status == "scheduled"
