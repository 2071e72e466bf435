"""The sign-up form inside cached reader pages, the archive, the API, automatic issues and the
newsroom screens (who sees addresses)."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.newsletters import automatic, services
from masthead.newsletters.models import Issue, Newsletter
from masthead.newsroom import roles

from .conftest import TRANSACTIONAL, make_subscribers

pytestmark = TRANSACTIONAL


def test_article_and_section_pages_carry_the_same_static_form(client, newsletter, make_article):
    article = make_article("Harbour strike ends", section="World")
    for path in (article.get_absolute_url(), "/section/world/"):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        form = re.search(r'<section class="newsletter-signup".*?</section>', html, re.S)[0]
        assert 'action="/newsletters/subscribe/"' in form
        assert 'name="newsletter" value="morning"' in form and 'name="email"' in form
        assert "csrfmiddlewaretoken" not in form and "<script" not in form
        assert not re.search(r"<[^>]*\s(style|on[a-z]+)=", form)  # strict CSP: nothing inline


def test_archive_shows_sent_issues_only_and_the_web_copy_has_no_personal_links(
        client, smtp, newsletter, make_article):
    article = make_article("Comet over the harbour")
    make_subscribers(newsletter, 1)
    sent = services.send_issue(services.create_issue(newsletter, "Tuesday",
                                                     article_ids=[article.pk]))
    services.create_issue(newsletter, "Unsent draft")
    html = client.get("/newsletters/morning/").content.decode()
    assert "Tuesday" in html and "Unsent draft" not in html
    page = client.get(f"/newsletters/morning/{sent.pk}/")
    assert page.status_code == 200 and b"Comet over the harbour" in page.content
    assert b"unsubscribe/" not in page.content and b"@example.org" not in page.content
    Newsletter.objects.filter(pk=newsletter.pk).update(public_archive=False)
    assert client.get("/newsletters/morning/").status_code == 404
    assert client.get(f"/newsletters/morning/{sent.pk}/").status_code == 404


def test_api_lists_newsletters_without_private_fields(client, newsletter):
    import jsonschema

    from masthead.api.schema import openapi

    make_subscribers(newsletter, 2)
    response = client.get("/api/v1/newsletters/")
    body = json.loads(response.content)
    assert [n["slug"] for n in body["results"]] == ["morning"]
    spec = openapi()
    schema = spec["paths"]["/newsletters/"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    jsonschema.validate(body, {"components": spec["components"], **schema},
                        cls=jsonschema.Draft202012Validator)
    assert "@" not in response.content.decode().replace("news@", "")  # no subscriber address
    assert "news@example.org" not in response.content.decode()


def test_a_daily_digest_is_made_once_per_day_at_its_hour(smtp, make_article, settings):
    settings.TIME_ZONE = "UTC"
    digest = Newsletter.objects.create(name="Daily", slug="daily", sender_email="d@example.org",
                                       kind="digest", send_hour=7)
    make_subscribers(digest, 2)
    due = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0)
    if due > timezone.now():
        due -= dt.timedelta(days=1)
    make_article("Yesterday evening's story", published_at=due - dt.timedelta(hours=3))
    assert automatic.make_due_issues(due.replace(hour=6)) == []  # before its hour
    made = automatic.make_due_issues(due)
    assert len(made) == 1 and automatic.make_due_issues(due) == []  # a second worker: nothing
    issue = Issue.objects.get(pk=made[0])
    assert issue.status == "sent" and issue.article_ids and len(smtp.ledger.received) == 2


def _staff(client, role: str):
    roles.ensure_groups()
    user = get_user_model().objects.create_user(f"{role}-user", email=f"{role}@example.net",
                                                password="pw-" * 6)
    roles.assign_role(user, role)
    user.save()
    client.force_login(user)
    return user


def test_an_editor_writes_previews_tests_and_sends_an_issue(client, smtp, newsletter,
                                                            make_article):
    article = make_article("Bridge reopens")
    make_subscribers(newsletter, 2)
    _staff(client, "editor")
    response = client.post(f"/newsroom/newsletters/{newsletter.pk}/", {
        "form": "issue", "subject": "Evening", "introduction": "Hello",
        "articles": [article.pk]})
    assert response.status_code == 302, re.findall(r'class="errorlist[^"]*">(.*?)</ul>', response.content.decode(), re.S)
    issue = Issue.objects.get()
    preview = client.get(f"/newsroom/newsletters/issues/{issue.pk}/preview/")
    assert b"Bridge reopens" in preview.content and b'style="' in preview.content
    client.post(f"/newsroom/newsletters/issues/{issue.pk}/test/")
    assert [r.recipient for r in smtp.ledger.received] == ["editor@example.net"]
    assert client.post(f"/newsroom/newsletters/issues/{issue.pk}/", {"at": ""}).status_code \
        == 302
    page = client.get(f"/newsroom/newsletters/issues/{issue.pk}/").content.decode()
    assert "Sent" in page and len(smtp.ledger.received) == 3
    # Editors send; they do not see addresses.
    assert client.get("/newsroom/newsletters/subscribers/").status_code == 403
    assert "reader0@example.org" not in page


def test_only_admins_see_subscriber_addresses(client, newsletter):
    make_subscribers(newsletter, 1)
    _staff(client, "admin")
    response = client.get("/newsroom/newsletters/subscribers/")
    assert response.status_code == 200 and b"reader0@example.org" in response.content
    client.logout()
    _staff(client, "author")
    assert client.get("/newsroom/newsletters/").status_code == 403
