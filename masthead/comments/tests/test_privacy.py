"""Commenter privacy: export and erasure by address, IP retention, nothing in logs."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from masthead.comments import jobs
from masthead.comments.models import Comment, Commenter
from masthead.comments.privacy import email_digest, encrypt_email
from masthead.core.models import RateBucket

from .conftest import approved_comment

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("comments", *args, stdout=out)
    return out.getvalue()


def by(email, article, **fields):
    return approved_comment(article, email_encrypted=encrypt_email(email),
                            email_digest=email_digest(email), **fields)


def test_export_prints_everything_stored_for_an_address_as_json(post, article):
    post(article, email="Me@Example.org", comment="Mine", url="https://me.example")
    by("other@example.org", article, body="Not mine")
    data = json.loads(run("export", "me@example.org"))
    assert data["email"] == "me@example.org"
    [comment] = data["comments"]
    assert comment["body"] == "Mine" and comment["email"] == "me@example.org"
    assert comment["url"] == "https://me.example" and comment["ip_address"] == "127.0.0.1"
    assert comment["article_url"].endswith(article.get_absolute_url())


def test_erase_deletes_an_addresses_comments_and_empties_those_others_replied_to(article):
    answered = by("gone@example.org", article, body="Answered words", ip_address="10.0.0.1",
                  author_url="https://gone.example")
    reply = approved_comment(article, parent=answered, depth=1, body="A reply by someone else")
    lonely = by("gone@example.org", article, body="Lonely words")
    kept = by("stay@example.org", article, body="Someone else's")
    Commenter.objects.create(email_digest=email_digest("gone@example.org"))
    out = run("erase", "GONE@example.org")
    assert "1 comment(s) deleted, 1 emptied" in out
    assert not Comment.objects.filter(pk=lonely.pk).exists()
    answered.refresh_from_db()
    assert answered.author_name == "[deleted]" and "Answered" not in answered.body
    assert (answered.email_encrypted, answered.email_digest, answered.author_url,
            answered.ip_address) == ("", "", "", None)
    assert Comment.objects.filter(pk__in=[reply.pk, kept.pk]).count() == 2
    assert not Commenter.objects.exists()
    assert json.loads(run("export", "gone@example.org"))["comments"] == []


def test_erase_forgets_the_address_in_rate_counters(post, article):
    post(article, email="gone@example.org")
    run("erase", "gone@example.org")
    assert RateBucket.objects.filter(key__startswith="email:").count() == 0


@pytest.mark.parametrize("args", [["export", "not-an-email"], ["erase", ""]])
def test_bad_address_is_refused_with_exit_code_2(args):
    with pytest.raises(CommandError) as error:
        call_command("comments", *args)
    assert error.value.returncode == 2


def test_ip_addresses_are_dropped_after_the_retention_period(article, settings):
    settings.MASTHEAD_COMMENTS_IP_RETENTION_DAYS = 30
    old = approved_comment(article, ip_address="10.0.0.1",
                           created_at=timezone.now() - dt.timedelta(days=31))
    new = approved_comment(article, ip_address="10.0.0.2",
                           created_at=timezone.now() - dt.timedelta(days=29))
    assert "forgot 1 IP address" in run("purge-ips")
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.ip_address is None and new.ip_address == "10.0.0.2"
    assert "forgot 1" in run("purge-ips", "--days", "0")


def test_every_server_drops_old_ip_addresses_on_its_own(article):
    approved_comment(article, ip_address="10.0.0.1",
                     created_at=timezone.now() - dt.timedelta(days=40))
    assert jobs.forget_old_ip_addresses() == 1
    from django.conf import settings as live

    assert ("masthead.comments.jobs.forget_old_ip_addresses", 3600.0) in \
        live.MASTHEAD_BACKGROUND_JOBS


def test_no_log_line_carries_an_email_address(post, article, caplog, moderator):
    caplog.set_level(logging.DEBUG)
    post(article, email="logged@example.org", comment="fine")
    post(article, email="logged@example.org", comment="x" * 6000)  # 400
    post(article, email="logged@example.org", comment="fine")  # 409 duplicate
    post(article, email="logged@example.org", comment="subscribe", notify="1")
    assert "logged@" not in caplog.text and "example.org" not in caplog.text
