"""Signing secrets at rest: encrypted with the key ring, re-encrypted by `masthead keys rotate`,
and still signing deliveries that the reference library verifies afterwards."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from standardwebhooks.webhooks import Webhook

from masthead.articles import services as articles
from masthead.articles.models import Article
from masthead.integrations.services import create_integration
from masthead.webhooks import services
from masthead.webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def _raw_rows() -> str:
    """Everything the table holds, as a database dump would show it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Subscription._meta.db_table}")
        return repr(cursor.fetchall())


def test_a_dump_holds_no_usable_secret_and_rotation_reencrypts_it(
        receiver, django_capture_on_commit_callbacks):
    issued = create_integration("Slack bot", "contributor")
    subscription = services.subscribe(issued.integration, "article.published", receiver.url)
    secret = subscription.secret
    key_part = secret.removeprefix("whsec_")
    assert secret.startswith("whsec_") and len(key_part) > 40
    dump = io.StringIO()
    call_command("dumpdata", "webhooks", stdout=dump)
    for text in (_raw_rows(), dump.getvalue()):
        assert key_part not in text and secret not in text
    stored = Subscription.objects.get().secret_encrypted
    assert stored.startswith("k1:")

    call_command("keys", "rotate", stdout=io.StringIO())

    rotated = Subscription.objects.get()
    assert rotated.secret_encrypted.startswith("k2:") and rotated.secret_encrypted != stored
    assert rotated.secret == secret
    with django_capture_on_commit_callbacks(execute=True):
        article = Article(headline="Harbour reopens", body="Ships move again.")
        articles.save_article(article)
        articles.publish_article(article)
    request = receiver.requests[0]
    payload = Webhook(secret).verify(request["body"], {k.lower(): v for k, v in
                                                      request["headers"].items()})
    assert payload["data"]["id"] == article.pk


def test_a_secret_no_key_opens_is_not_used_to_sign(settings, django_capture_on_commit_callbacks):
    issued = create_integration("Slack bot", "contributor")
    settings.MASTHEAD_WEBHOOKS_ALLOW_PRIVATE = True
    subscription = services.subscribe(issued.integration, "article.published",
                                      "http://127.0.0.1:9/hook")
    Subscription.objects.filter(pk=subscription.pk).update(secret_encrypted="k99:garbage")
    assert Subscription.objects.get().secret == ""
    with django_capture_on_commit_callbacks(execute=True):
        article = Article(headline="Harbour reopens", body="Ships move again.")
        articles.save_article(article)
        articles.publish_article(article)
    attempt = Delivery.objects.get().log.get()
    assert attempt.error == "the signing secret cannot be decrypted"


# Committed for real; every app available, so the flush afterwards truncates with CASCADE
# (PostgreSQL: search_document references articles outside Django's knowledge).
@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
def test_the_migration_encrypts_secrets_stored_in_clear_text_and_back(settings):
    """A site upgraded from clear-text secrets: each is encrypted, and signs as before."""
    from django.db.migrations.executor import MigrationExecutor

    settings.MASTHEAD_WEBHOOKS_ALLOW_PRIVATE = True
    issued = create_integration("Slack bot", "contributor")
    before = [("webhooks", "0001_initial")]
    after = [("webhooks", "0002_secret_key_ring")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("webhooks", "Subscription")
        old.objects.create(integration_id=issued.integration.pk, event="article.published",
                           url="http://127.0.0.1:9/hook", secret="whsec_" + "A" * 44)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert "AAAAAAAAAA" not in _raw_rows()
        assert Subscription.objects.get().secret == "whsec_" + "A" * 44
        executor = MigrationExecutor(connection)
        executor.migrate(before)  # and back: the clear text returns for the older code
        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM webhooks_subscription")
            assert cursor.fetchall() == [("whsec_" + "A" * 44,)]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
