"""Subscriber addresses on the shared key ring: `masthead keys rotate` re-encrypts and
re-digests them, and the links already in readers' inboxes keep working."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from masthead.newsletters import mail, privacy, services
from masthead.newsletters.models import Subscriber

from .conftest import make_subscribers

pytestmark = pytest.mark.django_db


def test_keys_rotate_reencrypts_subscriber_addresses_and_old_links_still_work(client,
                                                                              newsletter):
    make_subscribers(newsletter, 3)
    before = {s.pk: (s.email_encrypted, s.email_digest) for s in Subscriber.objects.all()}
    assert all(enc.startswith("k1:") for enc, _ in before.values())
    first = Subscriber.objects.get(email_digest=privacy.email_digest("reader0@example.org"))
    prefs, unsub = mail.personal_links(first, newsletter.pk)  # as in an email already sent

    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)

    for subscriber in Subscriber.objects.all():
        enc, digest = before[subscriber.pk]
        assert subscriber.email_encrypted.startswith("k2:") and subscriber.email_encrypted != enc
        assert subscriber.email_digest != digest
        assert "example.org" not in subscriber.email_encrypted
    # Look-ups by address use the new digest; the address decrypts.
    found = services.find_subscriber("Reader0@Example.org")
    assert found is not None and found.pk == first.pk
    assert services.address_of(found) == "reader0@example.org"
    # The preferences and unsubscribe links of mail sent before the rotation still work.
    assert client.get(urlsplit(prefs).path).status_code == 200
    assert client.post(urlsplit(unsub).path).status_code == 200
    assert Subscriber.objects.get(pk=first.pk).status == "unsubscribed"


def test_a_link_dies_with_an_erased_and_recreated_subscriber(client, newsletter):
    [old] = make_subscribers(newsletter, 1)
    prefs, _ = mail.personal_links(old, newsletter.pk)
    services.erase("reader0@example.org")
    make_subscribers(newsletter, 1)  # the same address signs up again: a new row
    assert client.get(urlsplit(prefs).path).status_code == 400
