"""The admins' newsroom pages: keys shown once, revocation, webhooks, the delivery log."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from masthead.integrations.models import Integration
from masthead.integrations.services import authenticate, create_integration
from masthead.newsroom.staff import create_staff_user
from masthead.webhooks.models import Attempt, Delivery, Subscription

pytestmark = pytest.mark.django_db


def logged_in(role: str) -> Client:
    user, _ = create_staff_user(f"{role}-user", role, password="a long test password 77")
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_creates_an_integration_and_sees_its_keys_once():
    client = logged_in("admin")
    page = client.post("/newsroom/integrations/", {"name": "Mobile app", "role": "author"})
    assert page.status_code == 200
    keys = re.findall(r"<code>(mh[ac]_[\w-]+)</code>", page.content.decode())
    assert len(keys) == 2 and all(authenticate(k) for k in keys)
    again = client.get("/newsroom/integrations/").content.decode()
    assert "Mobile app" in again and not any(k in again for k in keys)
    integration = Integration.objects.get()
    client.post(f"/newsroom/integrations/{integration.pk}/revoke/")
    assert not any(authenticate(k) for k in keys)


def test_bad_names_are_refused_with_400_and_store_nothing():
    response = logged_in("admin").post("/newsroom/integrations/", {"name": " ", "role": "x"})
    assert response.status_code == 400 and Integration.objects.count() == 0


@pytest.mark.parametrize("role", ["contributor", "author", "editor"])
def test_only_admins_reach_the_integration_pages(role):
    client = logged_in(role)
    for path in ("/newsroom/integrations/", "/newsroom/integrations/deliveries/"):
        assert client.get(path).status_code == 403
    assert client.post("/newsroom/integrations/", {"name": "X", "role": "admin"}).status_code \
        == 403
    assert Integration.objects.count() == 0
    assert client.get("/newsroom/integrations/api/").status_code == 200


def test_the_delivery_log_shows_each_attempt_and_redelivers(settings,
                                                           django_capture_on_commit_callbacks):
    settings.MASTHEAD_WEBHOOKS_ALLOW_PRIVATE = True
    issued = create_integration("Bot", "editor")
    client = logged_in("admin")
    client.post("/newsroom/integrations/webhooks/", {"integration": issued.integration.pk,
                                                     "event": "article.published",
                                                     "url": "http://127.0.0.1:9/hook"})
    subscription = Subscription.objects.get()
    delivery = Delivery.objects.create(subscription=subscription, event="article.published",
                                       message_id="msg_1", payload={}, status="failed",
                                       attempts=2)
    Attempt.objects.create(delivery=delivery, response_code=500, duration_ms=12)
    Attempt.objects.create(delivery=delivery, error="ConnectionRefusedError", duration_ms=1)
    page = client.get("/newsroom/integrations/deliveries/").content.decode()
    assert "HTTP 500, 12 ms" in page and "ConnectionRefusedError" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/newsroom/integrations/deliveries/{delivery.pk}/redeliver/")
    delivery.refresh_from_db()
    assert delivery.attempts == 3  # tried again at once (nobody listens on port 9)


def test_the_api_reference_lists_every_operation():
    page = logged_in("admin").get("/newsroom/integrations/api/").content.decode()
    for operation in ("POST /api/v1/articles/", "PATCH /api/v1/articles/{id}/",
                      "POST /api/v1/media/", "GET /api/v1/search/"):
        assert operation in page
