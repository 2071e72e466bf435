"""Fixtures of the newsletters tests: a real SMTP server and a newsletter with subscribers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from masthead.newsletters import privacy
from masthead.newsletters.models import Newsletter, Subscriber, Subscription

from .smtpserver import SmtpServer

# Jobs run after their transaction commits, so these tests commit for real. With every app
# named as available, the flush after each test truncates with CASCADE: on PostgreSQL the search
# engine's own `search_document` table references articles_article outside Django's knowledge,
# and a plain TRUNCATE of articles_article is refused.
TRANSACTIONAL = pytest.mark.django_db(transaction=True,
                                      available_apps=list(settings.INSTALLED_APPS))


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER = False, ""
    yield server
    server.stop()


@pytest.fixture
def newsletter(db):
    return Newsletter.objects.create(name="Morning Briefing", slug="morning",
                                     sender_email="news@example.org", sender_name="The Ledger",
                                     reply_to="editor@example.org")


def make_subscribers(newsletter, count: int, *, start: int = 0, status="active"):
    now = timezone.now()
    subs = Subscriber.objects.bulk_create([
        Subscriber(email_encrypted=privacy.encrypt_email(f"reader{n}@example.org"),
                   email_digest=privacy.email_digest(f"reader{n}@example.org"),
                   name=f"Reader {n}", status=status, created_at=now, confirmed_at=now)
        for n in range(start, start + count)])
    if not subs or subs[0].pk is None:
        subs = list(Subscriber.objects.filter(email_digest__in=[s.email_digest for s in subs]))
    Subscription.objects.bulk_create([Subscription(subscriber=s, newsletter=newsletter)
                                      for s in subs])
    return subs
