"""Webhooks: signed as Standard Webhooks says, retried with backoff, logged, disabled after
repeated failure, never sent to private addresses unless allowed, never following redirects."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook

from masthead.articles import services as articles
from masthead.articles.models import Article
from masthead.comments.models import Comment
from masthead.comments.moderation import moderate
from masthead.comments.signals import comment_posted
from masthead.integrations.services import create_integration
from masthead.webhooks import services, transport
from masthead.webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def _publish(headline="Harbour reopens") -> Article:
    article = Article(headline=headline, body="Ships move again.")
    articles.save_article(article)
    return articles.publish_article(article)


def _verified(request, secret) -> dict:
    return Webhook(secret).verify(request["body"], {k.lower(): v for k, v in
                                                   request["headers"].items()})


def test_a_publication_is_delivered_signed_so_the_reference_library_verifies_it(
        receiver, django_capture_on_commit_callbacks):
    issued = create_integration("Slack bot", "contributor")
    subscription = services.subscribe(issued.integration, "article.published", receiver.url)
    assert subscription.secret.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        article = _publish()
    assert len(receiver.requests) == 1
    payload = _verified(receiver.requests[0], subscription.secret)
    assert payload["type"] == "article.published" and payload["data"]["id"] == article.pk
    assert "email" not in json.dumps(payload)
    delivery = Delivery.objects.get()
    assert receiver.requests[0]["headers"]["webhook-id"] == delivery.message_id
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)


def test_a_tampered_body_does_not_verify(receiver, django_capture_on_commit_callbacks):
    issued = create_integration("Bot", "editor")
    subscription = services.subscribe(issued.integration, "article.published", receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _publish()
    request = dict(receiver.requests[0], body=receiver.requests[0]["body"].replace(b"Harbour",
                                                                                   b"Harbor"))
    with pytest.raises(Exception, match="(?i)signature"):
        _verified(request, subscription.secret)


def test_failures_are_retried_with_growing_delays_and_logged(receiver, settings,
                                                             django_capture_on_commit_callbacks):
    settings.MASTHEAD_WEBHOOKS_BACKOFF_SECONDS = 10
    receiver.statuses = [500, 500, 500]
    issued = create_integration("Bot", "editor")
    services.subscribe(issued.integration, "article.published", receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _publish()  # the first attempt runs at once (eager in tests) and fails
    delivery = Delivery.objects.get()
    delays = []
    for _ in range(3):
        queued = DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at").first()
        delays.append(round((queued.run_after - timezone.now()).total_seconds()))
        services.deliver(delivery.pk)  # what the worker does when the retry is due
    assert [round(d / 10) for d in delays] == [1, 2, 4]  # 10 s, 20 s, 40 s
    delivery.refresh_from_db()
    log = [(a.response_code, a.succeeded) for a in delivery.log.all()]
    assert log == [(500, False), (500, False), (500, False), (200, True)]
    assert (delivery.status, delivery.attempts) == ("succeeded", 4)
    assert len(receiver.requests) == 4
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1


def test_redirects_are_not_followed(receiver, settings, django_capture_on_commit_callbacks):
    settings.MASTHEAD_WEBHOOKS_MAX_ATTEMPTS = 1
    receiver.statuses = [302]
    receiver.redirect_to = receiver.url.replace("/hook", "/elsewhere")
    issued = create_integration("Bot", "editor")
    services.subscribe(issued.integration, "article.published", receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _publish()
    assert [r["path"] for r in receiver.requests] == ["/hook"]
    assert Delivery.objects.get().status == "failed"


def test_repeated_failure_disables_the_subscription_and_tells_the_admins(
        receiver, settings, django_user_model, django_capture_on_commit_callbacks):
    settings.MASTHEAD_WEBHOOKS_MAX_ATTEMPTS = 1
    settings.MASTHEAD_WEBHOOKS_DISABLE_AFTER = 2
    django_user_model.objects.create_superuser("boss", "boss@example.org", "x" * 16)
    receiver.statuses = [500, 500]
    issued = create_integration("Bot", "editor")
    subscription = services.subscribe(issued.integration, "article.published", receiver.url)
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            _publish(f"Story {n}")
    subscription.refresh_from_db()
    assert not subscription.active and "2 deliveries" in subscription.disabled_reason
    assert len(receiver.requests) == 2  # the third event found it disabled: nothing sent
    assert [m.to for m in mail.outbox] == [["boss@example.org"]]
    assert "Webhook disabled" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.redeliver(Delivery.objects.filter(status="failed").first())
    subscription.refresh_from_db()
    assert subscription.active and len(receiver.requests) == 3


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://localhost:8000/", "http://10.0.0.5/", "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/",
    "http://192.168.1.1/", "http://100.64.0.1/", "http://0.0.0.0/", "ftp://example.org/",
    "http://user:pw@example.org/", "not a url",
])
def test_private_and_odd_targets_are_refused(url, settings):
    settings.MASTHEAD_WEBHOOKS_ALLOW_PRIVATE = False
    issued = create_integration("Bot", "editor")
    with pytest.raises(ValidationError):
        services.subscribe(issued.integration, "article.published", url)
    assert Subscription.objects.count() == 0


def test_a_target_that_turns_private_after_subscribing_is_refused_at_delivery(
        receiver, settings, django_capture_on_commit_callbacks):
    issued = create_integration("Bot", "editor")
    services.subscribe(issued.integration, "article.published", receiver.url)
    settings.MASTHEAD_WEBHOOKS_ALLOW_PRIVATE = False
    with django_capture_on_commit_callbacks(execute=True):
        _publish()
    assert receiver.requests == []
    assert "private" in Delivery.objects.get().log.get().error
    with pytest.raises(transport.Refused):
        transport.post(receiver.url, b"{}", {}, 1.0)


def test_unmoderated_comments_reach_only_moderators_integrations(
        receiver, make_article, django_capture_on_commit_callbacks):
    editor = create_integration("Moderation bot", "editor")
    writer = create_integration("Writer bot", "author")
    services.subscribe(editor.integration, "comment.created", receiver.url + "?e")
    services.subscribe(writer.integration, "comment.created", receiver.url + "?w")
    services.subscribe(writer.integration, "comment.approved", receiver.url + "?wa")
    article = make_article("Commented")
    with django_capture_on_commit_callbacks(execute=True):
        comment = Comment.objects.create(article=article, author_name="R", body="Hi",
                                         created_at=timezone.now())
        comment_posted.send(sender=Comment, comment=comment)
    assert [r["path"] for r in receiver.requests] == ["/hook?e"]
    with django_capture_on_commit_callbacks(execute=True):
        moderate([comment.pk], "approve")
    assert [r["path"] for r in receiver.requests] == ["/hook?e", "/hook?wa"]


def test_unknown_events_are_refused(receiver):
    issued = create_integration("Bot", "editor")
    with pytest.raises(ValidationError, match="Unknown event"):
        services.subscribe(issued.integration, "article.exploded", receiver.url)
