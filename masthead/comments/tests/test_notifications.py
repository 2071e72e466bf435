"""Reply notifications: opt-in, double opt-in by signed link, one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from masthead.comments import services
from masthead.comments.models import Comment, Commenter

pytestmark = pytest.mark.django_db


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _link(message, kind: str) -> str:
    return re.search(rf"https?://\S+/comments/{kind}/\S+/", message.body).group(0)


@pytest.fixture
def subscribed(post, article):
    """A comment whose author asked for reply notifications and confirmed the address."""
    post(article, email="sub@example.org", comment="Tell me when someone answers.", notify="1")
    comment = Comment.objects.get()
    services.approve_comments([comment.pk])
    [confirm] = [m for m in mail.outbox if m.to == ["sub@example.org"]]
    assert Client().post(_path(_link(confirm, "confirm"))).status_code == 303
    mail.outbox.clear()
    return comment


def reply_to(post, article, parent, email="replier@example.org", text="An answer."):
    post(article, email=email, comment=text, comment_parent=str(parent.pk))
    return Comment.objects.filter(parent=parent).latest("id")


def test_asking_for_notifications_sends_only_a_confirmation_link_first(post, article):
    post(article, email="new@example.org", comment="Hello", notify="1")
    comment = Comment.objects.get()
    assert comment.notify_replies is True
    [message] = [m for m in mail.outbox if m.to == ["new@example.org"]]
    assert "/comments/confirm/" in message.body and "replies" in message.body
    assert Commenter.objects.get().confirmed_at is None


def test_no_notification_goes_to_an_address_that_never_confirmed(post, article, committed):
    post(article, email="stranger@example.org", comment="Hello", notify="1")
    parent = Comment.objects.get()
    services.approve_comments([parent.pk])
    mail.outbox.clear()
    reply = reply_to(post, article, parent)
    with committed():
        services.approve_comments([reply.pk])
    assert [m for m in mail.outbox if m.to == ["stranger@example.org"]] == []


def test_the_form_cannot_be_used_to_mail_one_address_repeatedly(post, article):
    for i in range(4):
        post(article, email="victim@example.org", comment=f"spam run {i}", notify="1")
    assert len([m for m in mail.outbox if m.to == ["victim@example.org"]]) == 1


def test_confirmed_subscriber_gets_one_mail_per_approved_reply_with_unsubscribe(
        post, article, subscribed, committed):
    reply = reply_to(post, article, subscribed)
    assert reply.status == "pending"
    assert [m for m in mail.outbox if m.to == ["sub@example.org"]] == []  # not yet public
    with committed():
        services.approve_comments([reply.pk])
        services.moderate([reply.pk], "pending")
        services.approve_comments([reply.pk])  # approved twice: still one mail
    [message] = [m for m in mail.outbox if m.to == ["sub@example.org"]]
    assert "An answer." in message.body and f"#comment-{reply.pk}" in message.body
    unsubscribe = _link(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "replier@example.org" not in message.body


def test_one_click_unsubscribe_stops_further_mail(post, article, subscribed, committed):
    reply = reply_to(post, article, subscribed)
    with committed():
        services.approve_comments([reply.pk])
    message = [m for m in mail.outbox if m.to == ["sub@example.org"]][0]
    # RFC 8058: the mail client POSTs without cookies or CSRF token.
    response = Client(enforce_csrf_checks=True).post(_path(_link(message, "unsubscribe")),
                                                      {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    mail.outbox.clear()
    second = reply_to(post, article, subscribed, text="Another answer.")
    with committed():
        services.approve_comments([second.pk])
    assert [m for m in mail.outbox if m.to == ["sub@example.org"]] == []


def test_own_reply_does_not_notify_oneself(post, article, subscribed, committed):
    reply = reply_to(post, article, subscribed, email="sub@example.org", text="Adding to mine.")
    with committed():
        services.approve_comments([reply.pk])
    assert [m for m in mail.outbox if m.to == ["sub@example.org"]] == []


def test_forged_links_are_refused(client):
    assert client.get("/comments/confirm/forged/").status_code == 400
    assert client.post("/comments/confirm/forged/").status_code == 400
    assert client.get("/comments/unsubscribe/forged/").status_code == 400


def test_console_mail_to_commenters_withholds_their_address(settings, post, article, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    post(article, email="quiet@example.org", comment="Hello", notify="1")
    out = capsys.readouterr().out
    assert "/comments/confirm/" in out and "quiet@example.org" not in out
