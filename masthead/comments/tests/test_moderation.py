"""Moderation states, who is held, safe auto-approval, and what a commenter sees of their own."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from lxml import html as lxml_html

from masthead.comments import services, tokens
from masthead.comments.models import Comment, Commenter
from masthead.comments.posting import REASON_CONFIRM, REASON_FIRST
from masthead.comments.signals import comment_status_changed

from .conftest import approved_comment

pytestmark = pytest.mark.django_db
SPAMMY = "Check out my channel http://bit.ly/x and subscribe!!!"


def test_first_time_commenter_is_held_and_moderators_are_mailed(post, article, moderator):
    post(article, comment="My first comment here.")
    comment = Comment.objects.get()
    assert comment.status == "pending" and comment.hold_reason == REASON_FIRST
    [message] = mail.outbox
    assert message.to == ["desk@newsroom.example"]
    assert "My first comment here." in message.body and "/newsroom/comments/" in message.body
    assert "ada@example.org" not in message.body + message.subject


def test_filter_caught_spam_goes_to_spam_without_mailing_moderators(post, article, moderator):
    post(article, comment=SPAMMY)
    assert Comment.objects.get().status == "spam"
    assert mail.outbox == []


def test_approval_in_the_queue_makes_the_browser_a_trusted_returning_commenter(
        post, client, article, moderator):
    post(article, comment="First words.")
    first = Comment.objects.get()
    services.approve_comments([first.pk], user=moderator)
    post(article, comment="Second words, straight through.")
    second = Comment.objects.exclude(pk=first.pk).get()
    assert second.status == "approved"


def test_a_known_email_from_an_unknown_browser_is_held_and_sent_a_confirmation_link(
        post, article, fresh_client):
    regular = approved_comment(article, email_digest=_digest("ada@example.org"))
    response = post(article, fresh_client, comment="Typed a regular's address.")
    comment = Comment.objects.exclude(pk=regular.pk).get()
    assert comment.status == "pending" and comment.hold_reason == REASON_CONFIRM
    confirmation = [m for m in mail.outbox if m.to == ["ada@example.org"]]
    assert len(confirmation) == 1
    link = re.search(r"http://\S+/comments/confirm/\S+/", confirmation[0].body).group(0)
    # Only the owner of the address can publish it, by following the link.
    path = link.split("127.0.0.1:8000", 1)[1]
    owner = Client()
    page = owner.get(path)
    assert page.status_code == 200 and b"<form method=\"post\">" in page.content
    assert Comment.objects.get(pk=comment.pk).status == "pending"  # a GET changes nothing
    done = owner.post(path)
    assert done.status_code == 303
    assert Comment.objects.get(pk=comment.pk).status == "approved"
    assert Commenter.objects.get(email_digest=comment.email_digest).confirmed_at is not None
    assert tokens.RETURNING_COOKIE in done.cookies
    assert response.status_code == 303


def test_a_signed_cookie_for_someone_elses_comment_does_not_approve_a_regulars_address(
        post, client, article):
    regular = approved_comment(article, email_digest=_digest("regular@example.org"))
    # The impostor has an approved comment of their own, so their browser is trusted —
    # for their own address only.
    post(article, email="impostor@example.org", comment="My own words.")
    own = Comment.objects.get(email_digest=_digest("impostor@example.org"))
    services.approve_comments([own.pk])
    post(article, email="regular@example.org", comment="Pretending to be the regular.")
    forged = Comment.objects.filter(email_digest=regular.email_digest).exclude(pk=regular.pk).get()
    assert forged.status == "pending" and forged.hold_reason == REASON_CONFIRM


def test_a_tampered_returning_cookie_is_ignored(post, client, article):
    regular = approved_comment(article, email_digest=_digest("ada@example.org"))
    client.cookies[tokens.RETURNING_COOKIE] = f"{regular.pk}:forged:signature"
    post(article, comment="Cookie without a valid signature.")
    assert Comment.objects.exclude(pk=regular.pk).get().status == "pending"


def test_a_trusted_commenter_is_never_auto_approved_when_the_spam_score_is_high(
        post, article):
    post(article, comment="Fine first comment.")
    services.approve_comments([Comment.objects.get().pk])
    post(article, comment=SPAMMY)
    latest = Comment.objects.latest("id")
    assert latest.status == "spam" and latest.spam_verdict == "spam"
    post(article, comment="subscribe to my channel please")  # the filter is unsure: held
    assert Comment.objects.latest("id").status == "pending"


def test_own_pending_comment_is_shown_with_a_notice_to_its_author_only(post, client, article):
    response = post(article, comment="Waiting for the desk.")
    assert tokens.PENDING_COOKIE in response.cookies
    mine = client.get(response["Location"])
    page = lxml_html.fromstring(mine.content)
    [notice] = page.xpath("//li[contains(@class,'comment-awaiting')]//p[contains(@class,'awaiting')]")
    assert "awaiting moderation" in notice.text_content()
    assert "private" in mine["Cache-Control"] and "Cookie" in mine["Vary"]
    theirs = Client().get(response["Location"])
    assert b"Waiting for the desk." not in theirs.content
    assert "public" in theirs["Cache-Control"]


def test_pending_cookie_is_dropped_once_nothing_is_waiting(post, client, article):
    response = post(article, comment="Soon approved.")
    services.approve_comments([Comment.objects.get().pk])
    page = client.get(response["Location"])
    assert page.cookies[tokens.PENDING_COOKIE].value == ""  # deleted
    assert "public" in page["Cache-Control"]


def test_moderation_sends_status_changed_after_commit_once_per_change(article,
                                                                     django_capture_on_commit_callbacks):
    comment = approved_comment(article, status="pending")
    seen = []

    def receiver(sender, comment, old_status, **kwargs):
        seen.append((comment.pk, old_status, comment.status))

    comment_status_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.approve_comments([comment.pk])
            services.approve_comments([comment.pk])  # no change, no signal
            services.trash_comments([comment.pk])
    finally:
        comment_status_changed.disconnect(receiver)
    assert seen == [(comment.pk, "pending", "approved"), (comment.pk, "approved", "trash")]


def test_moderating_an_unknown_id_changes_nothing(article):
    comment = approved_comment(article, status="pending")
    with pytest.raises(services.ModerationError, match="no comment with id 999"):
        services.approve_comments([comment.pk, 999])
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_queue_counts_by_state(article):
    for status in ["pending", "pending", "approved", "spam"]:
        approved_comment(article, status=status)
    assert services.queue_counts() == {"pending": 2, "approved": 1, "spam": 1, "trash": 0}


def _digest(email):
    from masthead.comments.privacy import email_digest

    return email_digest(email)


def _held_for_confirmation(post, article, fresh_client):
    regular = approved_comment(article, email_digest=_digest("ada@example.org"))
    post(article, fresh_client, comment="Typed a regular's address.")
    comment = Comment.objects.exclude(pk=regular.pk).get()
    body = [m for m in mail.outbox if m.to == ["ada@example.org"]][0].body
    link = re.search(r"http://\S+/comments/confirm/\S+/", body).group(0)
    return comment, link.split("127.0.0.1:8000", 1)[1]


def test_a_confirmation_link_still_works_after_the_keys_are_rotated(
        post, article, fresh_client):
    from django.core.management import call_command

    comment, path = _held_for_confirmation(post, article, fresh_client)
    digest_before = comment.email_digest
    call_command("keys", "rotate", stdout=open("/dev/null", "w"))
    comment.refresh_from_db()
    assert comment.email_digest != digest_before  # the rotation did re-digest the address
    assert Client().post(path).status_code == 303
    assert Comment.objects.get(pk=comment.pk).status == "approved"


def test_a_link_mailed_before_rotation_proof_links_still_confirms(post, article, fresh_client):
    comment, _ = _held_for_confirmation(post, article, fresh_client)
    from django.core import signing
    old_style = signing.dumps({"c": comment.pk, "d": comment.email_digest[:16]},
                              salt=tokens.CONFIRM_SALT)
    assert Client().post(f"/comments/confirm/{old_style}/").status_code == 303
    assert Comment.objects.get(pk=comment.pk).status == "approved"


def test_a_link_for_another_address_or_an_erased_comment_confirms_nothing(
        post, article, fresh_client):
    comment, path = _held_for_confirmation(post, article, fresh_client)
    other = tokens.confirm_token(comment.pk, "mallory@example.org")
    assert Client().post(f"/comments/confirm/{other}/").status_code == 400
    Comment.objects.filter(pk=comment.pk).update(email_encrypted="", email_digest="")
    assert Client().post(path).status_code == 400
    assert Comment.objects.get(pk=comment.pk).status == "pending"
    assert not Commenter.objects.filter(confirmed_at__isnull=False).exists()
