"""The Admin API for sections, tags and authors: the newsroom's roles decide, versions guard
updates, a section still holding articles is not deleted; and publication times (backdated,
scheduled, refused)."""

from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from masthead.articles.models import Article, Author, Section, Tag

from .test_admin_api import send

pytestmark = pytest.mark.django_db
ROLES = ("contributor", "author", "editor", "admin")
ANY = {"HTTP_IF_MATCH": "*"}


@pytest.fixture
def taxonomy(make_article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        story = make_article("Ships wait outside Brennhaven", section="World", tags=("Ports",),
                             authors=("Ingrid Solberg",))
    Section.objects.create(name="Empty", slug="empty")
    Tag.objects.create(name="Unused", slug="unused")
    return story


TABLE = {
    "read a section's version": (lambda c, h: send(c, "get", "/sections/world/source/", None, h),
                                 dict(contributor=200, author=200, editor=200, admin=200)),
    "rename a section": (lambda c, h: send(c, "patch", "/sections/empty/",
                                           {"name": "Opinion", "slug": "opinion"}, {**h, **ANY}),
                         dict(contributor=403, author=403, editor=403, admin=200)),
    "delete an empty section": (lambda c, h: send(c, "delete", "/sections/empty/", None,
                                                  {**h, **ANY}),
                                dict(contributor=403, author=403, editor=403, admin=204)),
    "delete a section in use": (lambda c, h: send(c, "delete", "/sections/world/", None,
                                                  {**h, **ANY}),
                                dict(contributor=403, author=403, editor=403, admin=409)),
    "rename a tag": (lambda c, h: send(c, "patch", "/tags/ports/", {"name": "Harbours"},
                                       {**h, **ANY}),
                     dict(contributor=403, author=403, editor=200, admin=200)),
    "delete a tag": (lambda c, h: send(c, "delete", "/tags/ports/", None, {**h, **ANY}),
                     dict(contributor=403, author=403, editor=403, admin=204)),
    "create an author": (lambda c, h: send(c, "post", "/authors/",
                                           {"name": "Reuters", "bio": "The wire."}, h),
                         dict(contributor=403, author=403, editor=403, admin=201)),
    "edit an author": (lambda c, h: send(c, "patch", "/authors/ingrid-solberg/",
                                         {"bio": "Harbour correspondent."}, {**h, **ANY}),
                       dict(contributor=403, author=403, editor=403, admin=200)),
}


def _state():
    return (sorted(Section.objects.values_list("pk", "name", "slug", "description")),
            sorted(Tag.objects.values_list("pk", "name", "slug")),
            sorted(Author.objects.values_list("pk", "name", "slug", "bio")),
            sorted(Article.tags.through.objects.values_list("article_id", "tag_id")))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(TABLE))
def test_each_role_may_change_taxonomy_exactly_as_the_newsroom_allows(
        client, integration, taxonomy, django_capture_on_commit_callbacks, role, action):
    call, expected = TABLE[action]
    _, _, admin = integration(role)
    before = _state()
    with django_capture_on_commit_callbacks(execute=True):
        response, body = call(client, admin)
    assert response.status_code == expected[role], (action, role, body)
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert body["status"] == response.status_code and body["detail"]
        assert _state() == before
    elif response.status_code != 204:
        assert response["ETag"] == body["version"]
        assert response["Cache-Control"].startswith("private")


def test_a_section_still_holding_articles_is_refused_with_a_reason(client, integration, taxonomy):
    _, _, admin = integration("admin")
    response, body = send(client, "delete", "/sections/world/", None, {**admin, **ANY})
    assert (response.status_code, body["code"]) == (409, "conflict")
    assert "1 article" in body["detail"]
    assert Section.objects.filter(slug="world").exists()
    Article.objects.update(section=Section.objects.get(slug="empty"))
    assert send(client, "delete", "/sections/world/", None, {**admin, **ANY})[0].status_code == 204
    assert not Section.objects.filter(slug="world").exists()


def test_renamed_section_is_served_under_its_new_name_and_url(client, integration, taxonomy):
    _, _, admin = integration("admin")
    response, current = send(client, "get", "/sections/world/source/", None, admin)
    response, body = send(client, "patch", "/sections/world/",
                          {"name": "Abroad", "slug": "abroad", "description": "Far away."},
                          {**admin, "HTTP_IF_MATCH": current["version"]})
    assert response.status_code == 200, body
    assert (body["name"], body["slug"], body["description"]) == ("Abroad", "abroad", "Far away.")
    assert body["url"].endswith("/section/abroad/") and body["version"] != current["version"]
    assert client.get("/section/abroad/").status_code == 200
    # The newsroom leaves no redirect for a section's old URL name, and neither does the API.
    assert client.get("/section/world/").status_code == 404
    _, sections = send(client, "get", "/sections/")
    assert "Abroad" in [s["name"] for s in sections["results"]]
    _, story = send(client, "get", f"/articles/{taxonomy.pk}/")
    assert story["section"]["slug"] == "abroad"


def test_updates_need_the_current_version(client, integration, taxonomy):
    _, _, admin = integration("editor")
    response, body = send(client, "patch", "/tags/ports/", {"name": "Harbours"}, admin)
    assert (response.status_code, body["code"]) == (428, "precondition_required")
    _, current = send(client, "get", "/tags/ports/source/", None, admin)
    stale = {**admin, "HTTP_IF_MATCH": current["version"]}
    assert send(client, "patch", "/tags/ports/", {"name": "Harbours"}, stale)[0].status_code == 200
    response, body = send(client, "patch", "/tags/ports/", {"name": "Docks"}, stale)
    assert (response.status_code, body["code"]) == (412, "precondition_failed")
    assert Tag.objects.get(slug="ports").name == "Harbours"
    response, body = send(client, "patch", "/tags/ports/", {"name": "unused"}, {**admin, **ANY})
    assert (response.status_code, body["code"]) == (400, "refused")
    response, body = send(client, "patch", "/tags/nothing/", {"name": "X"}, {**admin, **ANY})
    assert response.status_code == 404


# Committed for real; every app available, so the flush afterwards truncates with CASCADE
# (PostgreSQL: search_document references articles outside Django's knowledge).
@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
def test_two_updates_with_one_version_one_wins(integration, taxonomy):
    if connection.vendor == "sqlite":
        # The in-memory test database shares one cache between threads and locks whole
        # tables ("database table is locked"), which a served site never does; on SQLite this
        # is proven over real HTTP (tests/e2e/test_api_cache_live.py).
        pytest.skip("SQLite: proven against masthead serve in tests/e2e")
    _, _, admin = integration("editor")
    _, current = send(Client(), "get", "/tags/ports/source/", None, admin)
    statuses, barrier = [], threading.Barrier(2)

    def update(name):
        try:
            barrier.wait()
            statuses.append(send(Client(), "patch", "/tags/ports/", {"name": name},
                                 {**admin, "HTTP_IF_MATCH": current["version"]})[0].status_code)
        finally:
            connection.close()  # this thread's own connection, or the test database stays in use

    threads = [threading.Thread(target=update, args=(n,)) for n in ("Harbours", "Docks")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 412]


def test_deleting_a_tag_takes_it_off_its_articles(client, integration, taxonomy):
    _, _, admin = integration("admin")
    assert send(client, "delete", "/tags/ports/", None, {**admin, **ANY})[0].status_code == 204
    assert not Tag.objects.filter(slug="ports").exists()
    _, story = send(client, "get", f"/articles/{taxonomy.pk}/")
    assert story["tags"] == []


def test_authors_created_and_edited_are_bylines_the_api_can_use(client, integration):
    _, _, admin = integration("admin")
    response, body = send(client, "post", "/authors/",
                          {"name": "  Nordic Wire  ", "bio": "Agency copy."}, admin)
    assert response.status_code == 201, body
    assert (body["name"], body["slug"], body["bio"]) == ("Nordic Wire", "nordic-wire",
                                                         "Agency copy.")
    assert response["Location"] == "/api/v1/authors/nordic-wire/source/"
    response, body = send(client, "post", "/authors/", {"name": "Other", "slug": "nordic-wire"},
                          admin)
    assert (response.status_code, body["code"]) == (400, "refused")
    response, body = send(client, "patch", "/authors/nordic-wire/",
                          {"name": "Nordic Wire Service", "slug": "nws"}, {**admin, **ANY})
    assert (response.status_code, body["slug"]) == (200, "nws")
    response, story = send(client, "post", "/articles/",
                           {"title": "Wire copy", "body": "Text.", "author": "nws"}, admin)
    assert response.status_code == 201 and story["authors"] == ["nws"]
    response, body = send(client, "post", "/authors/", {"name": "X", "photo": 3}, admin)
    assert (response.status_code, body["code"]) == (400, "invalid")
    assert Author.objects.filter(name__in=["Other", "X"]).count() == 0


# Publication times -------------------------------------------------------------------------

def _listing(client) -> list[str]:
    return [a["headline"] for a in send(client, "get", "/articles/")[1]["results"]]


def test_a_past_published_at_backdates_the_article(client, integration, site):
    _, _, admin = integration("editor")
    response, body = send(client, "post", "/articles/",
                          {"title": "Archive: the 2019 strike", "body": "From the archive.",
                           "status": "published", "published_at": "2019-03-04T08:00:00+01:00"},
                          admin)
    assert response.status_code == 201, body
    assert body["status"] == "published"
    assert dt.datetime.fromisoformat(body["published_at"]) == dt.datetime(
        2019, 3, 4, 7, tzinfo=dt.UTC)
    assert "/2019/03/04/" in body["url"]
    assert client.get(urlsplit(body["url"]).path).status_code == 200
    assert _listing(client)[-1] == "Archive: the 2019 strike"  # placed by its date: oldest


def test_publish_with_a_past_time_backdates_and_a_naive_one_is_the_sites_zone(
        client, integration, site, settings):
    settings.TIME_ZONE = "Europe/Oslo"
    timezone.activate("Europe/Oslo")
    try:
        _, _, admin = integration("editor")
        _, draft = send(client, "post", "/articles/", {"title": "Imported", "body": "Old."},
                        admin)
        response, body = send(client, "post", f"/articles/{draft['id']}/publish/",
                              {"published_at": "2021-06-01T12:00:00"}, admin)
        assert response.status_code == 200, body
        assert dt.datetime.fromisoformat(body["published_at"]) == dt.datetime(
            2021, 6, 1, 10, tzinfo=dt.UTC)  # 12:00 in Oslo (summer time)
        assert "/2021/06/01/" in body["url"] and body["status"] == "published"
    finally:
        timezone.deactivate()


def test_backdating_is_an_editors_call(client, integration, site):
    _, _, author = integration("author")
    response, body = send(client, "post", "/articles/",
                          {"title": "Old news", "body": "x", "status": "published",
                           "published_at": "2019-01-01T00:00:00Z"}, author)
    assert (response.status_code, body["code"]) == (403, "forbidden")
    _, draft = send(client, "post", "/articles/", {"title": "Mine", "body": "x"}, author)
    response, body = send(client, "post", f"/articles/{draft['id']}/publish/",
                          {"published_at": "2019-01-01T00:00:00Z"}, author)
    assert (response.status_code, body["code"]) == (403, "forbidden")
    assert Article.objects.get(pk=draft["id"]).status == "draft"
    assert not Article.objects.filter(headline="Old news").exists()
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()  # scheduling is theirs
    response, body = send(client, "post", f"/articles/{draft['id']}/publish/",
                          {"published_at": later}, author)
    assert (response.status_code, body["status"]) == (200, "scheduled")


def test_a_future_published_at_schedules(client, integration, site):
    _, _, admin = integration("editor")
    later = (timezone.now() + dt.timedelta(days=2)).isoformat()
    response, body = send(client, "post", "/articles/",
                          {"title": "Coming soon", "body": "Soon.", "status": "published",
                           "published_at": later}, admin)
    assert (response.status_code, body["status"]) == (201, "scheduled")
    assert "Coming soon" not in _listing(client)
    _, draft = send(client, "post", "/articles/", {"title": "Also soon", "body": "x"}, admin)
    response, body = send(client, "post", f"/articles/{draft['id']}/publish/",
                          {"published_at": later}, admin)
    assert (response.status_code, body["status"]) == (200, "scheduled")


@pytest.mark.parametrize("path, payload", [
    ("publish", {"published_at": "yesterday"}),
    ("publish", {"published_at": "1850-01-01T00:00:00Z"}),
    ("schedule", {"at": "2020-01-01T00:00:00Z"}),
    ("schedule", {"at": 12}),
])
def test_unusable_times_are_422_and_change_nothing(client, integration, path, payload):
    _, _, admin = integration("editor")
    _, draft = send(client, "post", "/articles/", {"title": "Draft", "body": "x"}, admin)
    response, body = send(client, "post", f"/articles/{draft['id']}/{path}/", payload, admin)
    assert (response.status_code, body["code"]) == (422, "bad_date"), body
    article = Article.objects.get(pk=draft["id"])
    assert (article.status, article.published_at) == ("draft", None)
