"""Commenter emails on the key ring: a secret-key change plus `keys rotate` loses no address,
and addresses stored before the ring (encrypted with the secret key) are carried over."""

from __future__ import annotations

import base64
import importlib
import io
import time

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command

from masthead.comments import commenters
from masthead.comments.models import Comment, Commenter
from masthead.comments.privacy import decrypt_email, email_digest, encrypt_email
from masthead.keyring import crypto
from masthead.keyring.ring import RingLocked

from .conftest import approved_comment

pytestmark = pytest.mark.django_db

OLD, NEW = "old-secret-key-0123456789-abcdefghijklmnop", "new-secret-key-9876543210-zyxwvutsrq"


def stored(article, email):
    comment = approved_comment(article, email_encrypted=encrypt_email(email),
                               email_digest=email_digest(email))
    Commenter.objects.create(email_digest=comment.email_digest,
                             email_encrypted=encrypt_email(email))
    return comment


def rotate() -> str:
    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)
    return out.getvalue()


def test_addresses_survive_a_secret_key_change_with_fallback_then_rotate(settings, article):
    settings.SECRET_KEY = OLD
    ids = [stored(article, f"reader{i}@example.org").pk for i in range(3)]
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]
    assert "6 stored value(s) re-encrypted" in rotate()  # 3 comments + 3 commenters
    settings.SECRET_KEY_FALLBACKS = []  # the old key is gone for good
    for i, pk in enumerate(ids):
        comment = Comment.objects.get(pk=pk)
        assert comment.email_encrypted.startswith("k2:")
        assert decrypt_email(comment.email_encrypted) == f"reader{i}@example.org"
        assert comment.email_digest == email_digest(f"Reader{i}@example.org ")
        assert Commenter.objects.filter(email_digest=comment.email_digest).exists()
    exported = commenters.export_commenter("reader1@example.org")
    assert [c["email"] for c in exported["comments"]] == ["reader1@example.org"]


def test_a_changed_secret_key_without_fallback_is_refused_not_silently_emptied(settings,
                                                                              article):
    settings.SECRET_KEY = OLD
    stored(article, "ada@example.org")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []
    with pytest.raises(RingLocked):
        email_digest("ada@example.org")
    settings.SECRET_KEY = OLD
    assert commenters.export_commenter("ada@example.org")["comments"]


def legacy(email: str, secret: str) -> tuple[str, str]:
    """The pre-ring scheme, written out here so the test does not lean on the code it tests."""
    import hashlib
    import hmac

    def key(info):
        return crypto.derive(secret.encode(), info)

    token = Fernet(base64.urlsafe_b64encode(key(b"masthead comment email encryption v1")))
    digest = hmac.new(key(b"masthead comment email digest v1"), email.encode(),
                      hashlib.sha256).hexdigest()
    return token.encrypt(email.encode()).decode(), digest


def test_addresses_from_before_the_ring_are_read_and_moved_by_the_migration(settings, article):
    settings.SECRET_KEY = OLD
    token, digest = legacy("old@example.org", OLD)
    comment = approved_comment(article, email_encrypted=token, email_digest=digest)
    Commenter.objects.create(email_digest=digest)  # confirmed before commenters kept a copy
    assert decrypt_email(token) == "old@example.org"
    migration = importlib.import_module("masthead.comments.migrations.0003_email_key_ring")
    migration.forwards(apps, None)
    comment.refresh_from_db()
    assert comment.email_encrypted.startswith("k1:")
    assert comment.email_digest == email_digest("old@example.org")
    commenter = Commenter.objects.get()
    assert commenter.email_digest == comment.email_digest
    assert decrypt_email(commenter.email_encrypted) == "old@example.org"


def test_rotate_also_moves_pre_ring_addresses_readable_only_with_a_fallback(settings, article):
    token, digest = legacy("old@example.org", OLD)
    comment = approved_comment(article, email_encrypted=token, email_digest=digest)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]
    rotate()
    comment.refresh_from_db()
    settings.SECRET_KEY_FALLBACKS = []
    assert decrypt_email(comment.email_encrypted) == "old@example.org"
    assert comment.email_digest == email_digest("old@example.org")


def test_a_comment_form_made_before_a_secret_key_change_posts_with_the_fallback(
        settings, article, client):
    from masthead.comments import tokens

    from .conftest import form_data

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    old_form = tokens.issue_form_token(article.pk, issued_at=time.time() - 30)
    settings.SECRET_KEY = NEW
    refused = client.post("/comments/post/", form_data(article, form_token=old_form),
                          HTTP_ORIGIN="http://testserver")
    assert refused.status_code == 400
    settings.SECRET_KEY_FALLBACKS = [OLD]
    accepted = client.post("/comments/post/", form_data(article, form_token=old_form),
                           HTTP_ORIGIN="http://testserver")
    assert accepted.status_code == 303


def test_an_unsubscribe_link_mailed_before_a_rotation_still_works(settings, article):
    from masthead.comments import tokens

    settings.SECRET_KEY = OLD
    comment = stored(article, "sub@example.org")
    Comment.objects.filter(pk=comment.pk).update(notify_replies=True)
    link = tokens.unsubscribe_token(comment.pk)
    rotate()
    assert commenters.unsubscribe(link) == 1
    assert not Comment.objects.get(pk=comment.pk).notify_replies


def test_an_unsubscribe_link_of_the_old_digest_form_is_still_honoured(settings, article):
    from django.core import signing

    comment = stored(article, "sub@example.org")
    Comment.objects.filter(pk=comment.pk).update(notify_replies=True)
    old_link = signing.Signer(salt="masthead.comments.unsubscribe").sign(comment.email_digest)
    assert commenters.unsubscribe(old_link) == 1
