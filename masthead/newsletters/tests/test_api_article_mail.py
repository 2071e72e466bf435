"""The Admin API's `email_newsletters` on article create and update: the same opt-in as the
editor's checkbox, the same once-only sending, the same permission."""

from __future__ import annotations

import itertools
import json

from masthead.articles.models import Article
from masthead.integrations.services import create_integration
from masthead.newsletters.models import ArticleEmail, Issue, Newsletter

from .conftest import TRANSACTIONAL, make_subscribers

pytestmark = TRANSACTIONAL
_n = itertools.count(1)


def _admin(role: str) -> dict:
    issued = create_integration(f"{role} wire {next(_n)}", role)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.admin_key}"}


def _post(client, path, body, headers, method="post"):
    response = getattr(client, method)("/api/v1" + path, data=json.dumps(body),
                                       content_type="application/json", **headers)
    return response, response.json() if response.content else None


def test_an_article_created_published_with_email_newsletters_is_sent_once(client, smtp):
    breaking = Newsletter.objects.create(name="Breaking news", slug="breaking",
                                         sender_email="alerts@example.org")
    make_subscribers(breaking, 2)
    headers = _admin("editor")
    response, body = _post(client, "/articles/", {
        "title": "Dam gives way", "body": "Water everywhere.", "status": "published",
        "email_newsletters": ["breaking"]}, headers)
    assert response.status_code == 201, body
    assert body["email_newsletters"] == ["breaking"]  # the answer echoes the choice
    issue = Issue.objects.get()
    assert issue.article_id == body["id"] and len(smtp.ledger.received) == 2
    # An update of the live article sends nothing more.
    response, _ = _post(client, f"/articles/{body['id']}/", {
        "title": "Dam gives way: towns evacuated", "email_newsletters": ["breaking"]},
        {**headers, "HTTP_IF_MATCH": response["ETag"]}, method="patch")
    assert response.status_code == 200
    assert Issue.objects.count() == 1 and len(smtp.ledger.received) == 2


def test_a_draft_chosen_by_patch_goes_out_when_published(client, smtp):
    breaking = Newsletter.objects.create(name="Breaking news", slug="breaking",
                                         sender_email="alerts@example.org")
    make_subscribers(breaking, 1)
    headers = _admin("editor")
    response, body = _post(client, "/articles/", {"title": "Quake", "body": "Shaking."},
                           headers)
    assert body["email_newsletters"] == []
    response, body = _post(client, f"/articles/{body['id']}/", {
        "email_newsletters": ["breaking"]}, {**headers, "HTTP_IF_MATCH": response["ETag"]},
        method="patch")
    assert response.status_code == 200 and not smtp.ledger.received
    assert body["email_newsletters"] == ["breaking"]
    source = client.get(f"/api/v1/articles/{body['id']}/source/", **headers).json()
    assert source["email_newsletters"] == ["breaking"]
    response, _ = _post(client, f"/articles/{body['id']}/publish/", {}, headers)
    assert response.status_code == 200
    assert Issue.objects.get().article_id == body["id"] and len(smtp.ledger.received) == 1


def test_unknown_newsletters_and_roles_that_may_not_send_are_refused(client, smtp):
    Newsletter.objects.create(name="Breaking news", slug="breaking",
                              sender_email="alerts@example.org")
    Newsletter.objects.create(name="Digest", slug="digest", kind="digest",
                              sender_email="alerts@example.org")
    article = {"title": "T", "body": "B", "status": "published"}
    editor = _admin("editor")
    for slugs in (["nope"], ["digest"]):
        response, body = _post(client, "/articles/", {**article, "email_newsletters": slugs},
                               editor)
        assert response.status_code == 400 and slugs[0] in body["detail"], body
    response, body = _post(client, "/articles/", {**article, "email_newsletters": ["breaking"]},
                           _admin("author"))
    assert response.status_code == 403, body
    assert not Article.objects.exists() and not ArticleEmail.objects.exists()
    assert not Issue.objects.exists() and not smtp.ledger.received
