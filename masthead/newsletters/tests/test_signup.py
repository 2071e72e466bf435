"""Reader sign-up end to end: the form, double opt-in through a real SMTP server, links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from masthead.newsletters import tokens
from masthead.newsletters.models import Subscriber, Subscription

from .conftest import TRANSACTIONAL

pytestmark = TRANSACTIONAL
ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def aged_tokens(monkeypatch):
    """Form tokens issued 10 s before they are checked (the form refuses instant posts)."""
    clock = {"t": 1_000_000.0}
    monkeypatch.setattr(tokens, "now", lambda: clock["t"])

    def advance(seconds=10):
        clock["t"] += seconds
    return advance


def _form_token(client) -> str:
    html = client.get("/newsletters/").content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', html)[1]


def _subscribe(client, aged_tokens, **fields):
    token = _form_token(client)
    aged_tokens()
    data = {"email": "Reader@Example.org", "newsletter": ["morning"], "name": "Zoë",
            "form_token": token, **fields}
    return client.post("/newsletters/subscribe/", data, **ORIGIN)


def _table_text() -> str:
    with connection.cursor() as c:
        c.execute("SELECT * FROM newsletters_subscriber")
        return repr(c.fetchall()).lower()


def test_double_opt_in_sends_one_confirmation_and_only_the_post_confirms(
        client, smtp, newsletter, aged_tokens):
    response = _subscribe(client, aged_tokens)
    assert response.status_code == 200 and b"Check your inbox" in response.content
    assert "private" in response["Cache-Control"]
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "pending"
    assert "reader@example.org" not in _table_text()  # encrypted at rest
    [mail] = smtp.ledger.received
    assert mail.recipient == "reader@example.org"
    body = mail.message.get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/newsletters/confirm/\S+/", body)[0]
    path = link.split("127.0.0.1:8000", 1)[-1]
    page = client.get(path)
    assert page.status_code == 200 and b"Confirm my subscription" in page.content
    assert Subscriber.objects.get().status == "pending"  # a mail scanner's GET changes nothing
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().status == "active"
    reused = client.post(path)
    assert reused.status_code == 400 and b"already used" in reused.content


def test_a_second_sign_up_within_the_hour_sends_no_second_mail(client, smtp, newsletter,
                                                               aged_tokens):
    _subscribe(client, aged_tokens)
    _subscribe(client, aged_tokens)
    assert len(smtp.ledger.received) == 1
    assert Subscriber.objects.count() == 1


@pytest.mark.parametrize("fields, status, text", [
    ({"email": "not-an-address"}, 400, b"valid email"),
    ({"email": "a@example.org\r\nBcc: victim@example.org"}, 400, b"valid email"),
    ({"name": "Eve\r\nBcc: victim@example.org"}, 400, b"line breaks"),
    ({"newsletter": ["no-such-letter"]}, 400, b"Choose at least one"),
    ({"form_token": "forged"}, 400, b"could not be verified"),
])
def test_bad_sign_ups_are_refused_and_store_nothing(client, smtp, newsletter, aged_tokens,
                                                    fields, status, text):
    response = _subscribe(client, aged_tokens, **fields)
    assert response.status_code == status and text in response.content
    assert not Subscriber.objects.exists() and not smtp.ledger.received


def test_cross_site_post_and_honeypot_store_nothing(client, smtp, newsletter, aged_tokens):
    token = _form_token(client)
    aged_tokens()
    data = {"email": "a@example.org", "newsletter": "morning", "form_token": token}
    assert client.post("/newsletters/subscribe/", data,
                       HTTP_ORIGIN="https://evil.example").status_code == 403
    bot = client.post("/newsletters/subscribe/", {**data, "leave_this_empty": "x"}, **ORIGIN)
    assert bot.status_code == 200  # a bot learns nothing
    assert not Subscriber.objects.exists() and not smtp.ledger.received


def test_an_instant_post_is_refused(client, smtp, newsletter):
    token = _form_token(client)
    response = client.post("/newsletters/subscribe/", {
        "email": "a@example.org", "newsletter": "morning", "form_token": token}, **ORIGIN)
    assert response.status_code == 400 and not Subscriber.objects.exists()


def test_expired_confirmation_link_is_refused(client, newsletter, monkeypatch):
    from django.core import signing

    subscriber = Subscriber.objects.create(email_encrypted="x", email_digest="d" * 64,
                                           created_at=timezone.now(), confirm_nonce="n")
    token = tokens.confirm_token(subscriber.pk, "n")
    monkeypatch.setattr(signing.TimestampSigner, "unsign",
                        lambda self, value, max_age=None: (_ for _ in ()).throw(
                            signing.SignatureExpired("old")))
    response = client.post(f"/newsletters/confirm/{token}/")
    assert response.status_code == 400 and b"expired" in response.content
    assert Subscriber.objects.get().status == "pending"


def test_preferences_link_changes_choices_and_a_tampered_one_is_refused(client, newsletter):
    from masthead.newsletters.models import Newsletter

    other = Newsletter.objects.create(name="Weekly", slug="weekly", sender_email="w@example.org")
    s = Subscriber.objects.create(email_encrypted="x", email_digest="e" * 64, status="active",
                                  created_at=timezone.now())
    Subscription.objects.create(subscriber=s, newsletter=newsletter)
    token = tokens.preferences_token(s)
    assert client.get(f"/newsletters/preferences/{token}/").status_code == 200
    assert client.post(f"/newsletters/preferences/{token}/",
                       {"newsletter": ["weekly"]}).status_code == 200
    assert list(s.subscriptions.values_list("newsletter__slug", flat=True)) == ["weekly"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/newsletters/preferences/{tampered}/",
                       {"newsletter": []}).status_code == 400
    assert other.subscriptions.count() == 1


def test_sign_up_form_is_on_the_newsletters_page_with_no_per_reader_data(client, newsletter):
    response = client.get("/newsletters/")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    html = response.content.decode()
    assert 'action="/newsletters/subscribe/"' in html and 'name="email"' in html
    assert 'name="newsletter" value="morning"' in html
    assert "csrfmiddlewaretoken" not in html and "<script" not in html


def test_a_confirmed_reader_signing_up_again_gets_their_preferences_link_and_nothing_changes(
        client, smtp, newsletter, aged_tokens):
    from masthead.newsletters.models import Newsletter

    Newsletter.objects.create(name="Weekly", slug="weekly", sender_email="w@example.org")
    _subscribe(client, aged_tokens)
    Subscriber.objects.update(status="active", confirm_nonce="",
                              confirmation_sent_at=timezone.now() - dt.timedelta(hours=2))
    response = _subscribe(client, aged_tokens, newsletter=["weekly"])
    assert response.status_code == 200 and b"Check your inbox" in response.content
    assert list(Subscription.objects.values_list("newsletter__slug", flat=True)) == ["morning"]
    second = smtp.ledger.received[-1].message
    assert "already subscribed" in second.get_body(("plain",)).get_content()
    assert "/newsletters/preferences/" in second.get_body(("plain",)).get_content()
