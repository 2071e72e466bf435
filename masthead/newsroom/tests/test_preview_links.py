"""Preview links can be revoked before their time is up, and say when they expire (issue 15,
item 6). The link is read from the editor page, as its holder would get it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from lxml import html as lxml_html

from masthead.newsroom import previews
from masthead.newsroom.models import PreviewLinks


@pytest.fixture
def author(make_user):
    return make_user("author")


def link_on_editor(client, article) -> str:
    page = client.get(f"/newsroom/articles/{article.pk}/").content.decode()
    return re.findall(r'/newsroom/preview/[^"<\s]+/', page)[0]


def test_revoking_stops_every_earlier_link_and_a_new_one_works(author, make_owned, client_for):
    article = make_owned(author, headline="Leaked too early")
    client = client_for(author)
    first, second = link_on_editor(client, article), previews.preview_path(article)
    assert Client().get(first).status_code == 200

    response = client.post(f"/newsroom/articles/{article.pk}/preview-links/revoke/")
    assert response.status_code == 302
    for old in (first, second):
        gone = Client().get(old)
        assert gone.status_code == 404
        assert "Leaked too early" not in gone.content.decode()
    fresh = link_on_editor(client, article)
    assert fresh != first
    assert "Leaked too early" in Client().get(fresh).content.decode()
    page = client.get(f"/newsroom/articles/{article.pk}/").content.decode()
    assert 'id="share-revoked"' in page


def test_revoking_one_articles_links_leaves_the_others_alone(author, make_owned, client_for):
    kept, revoked = make_owned(author), make_owned(author)
    kept_link = previews.preview_path(kept)
    client_for(author).post(f"/newsroom/articles/{revoked.pk}/preview-links/revoke/")
    assert Client().get(kept_link).status_code == 200


def test_a_link_from_before_versions_works_until_revoked(author, make_owned):
    article = make_owned(author)
    # The token format before issue 15: the article id alone.
    token = signing.dumps({"a": article.pk}, salt="masthead.newsroom.preview", compress=True)
    assert Client().get(f"/newsroom/preview/{token}/").status_code == 200
    previews.revoke(article)
    assert Client().get(f"/newsroom/preview/{token}/").status_code == 404


def test_a_token_cannot_claim_a_later_version(author, make_owned):
    article = make_owned(author)
    token = signing.dumps({"a": article.pk, "v": 1}, salt="wrong salt")
    assert previews.article_id_from(token) is None


def test_the_editor_and_the_preview_page_say_when_the_link_expires(author, make_owned,
                                                                   client_for, settings):
    article = make_owned(author)
    client = client_for(author)
    before = timezone.now()
    page = lxml_html.fromstring(client.get(f"/newsroom/articles/{article.pk}/").content)
    shown = dt.datetime.fromisoformat(page.xpath("//time[@id='share-expires']/@datetime")[0])
    expected = before + dt.timedelta(seconds=settings.MASTHEAD_PREVIEW_LINK_MAX_AGE)
    assert abs((shown - expected).total_seconds()) < 60
    preview = lxml_html.fromstring(Client().get(previews.preview_path(article)).content)
    stamp = preview.xpath("//p[contains(@class,'preview-banner')]/time/@datetime")[0]
    assert abs((dt.datetime.fromisoformat(stamp) - expected).total_seconds()) < 60


@pytest.mark.parametrize(("role", "own", "status"), [
    ("contributor", True, 302), ("author", True, 302), ("editor", True, 302),
    ("contributor", False, 404), ("author", False, 404), ("editor", False, 302),
    ("admin", False, 302),
])
def test_who_may_revoke(make_user, make_owned, client_for, role, own, status):
    actor = make_user(role)
    article = make_owned(actor if own else make_user("author"))
    response = client_for(actor).post(f"/newsroom/articles/{article.pk}/preview-links/revoke/")
    assert response.status_code == status
    revoked = PreviewLinks.objects.filter(article=article, version__gt=0).exists()
    assert revoked is (status == 302)


def test_revoking_takes_a_post(author, make_owned, client_for):
    article = make_owned(author)
    url = f"/newsroom/articles/{article.pk}/preview-links/revoke/"
    assert client_for(author).get(url).status_code == 405
    assert not PreviewLinks.objects.filter(article=article).exists()


def test_the_editors_revoke_button_is_a_working_form(author, make_owned):
    """Submitted as the browser would: the form's own action and CSRF token, checks on."""
    from .conftest import PASSWORD

    article = make_owned(author)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=author.username, password=PASSWORD)
    page = lxml_html.fromstring(client.get(f"/newsroom/articles/{article.pk}/").content)
    form = page.xpath("//form[@id='preview-links']")[0]
    assert form.get("method") == "post" and form.xpath(".//button[@type='submit']")
    token = form.xpath(".//input[@name='csrfmiddlewaretoken']/@value")[0]
    response = client.post(form.get("action"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert PreviewLinks.objects.get(article=article).version == 1
