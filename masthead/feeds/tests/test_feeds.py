"""RSS 2.0, Atom 1.0 and JSON Feed 1.1: valid, complete, absolute, and cheap to poll."""

from __future__ import annotations

import json

import feedparser
import jsonschema
import pytest
from django.conf import settings
from django.test import override_settings
from lxml import etree
from lxml import html as lxml_html

pytestmark = pytest.mark.django_db

SCOPES = {"site": "/", "section": "/section/world/", "tag": "/tag/ports/",
          "author": "/author/ingrid-solberg/"}
FORMATS = {"rss": "feed/", "atom": "feed/atom/", "json": "feed.json"}
TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml",
         "json": "application/feed+json"}


def url_of(scope: str, fmt: str) -> str:
    return SCOPES[scope] + FORMATS[fmt]


def entries(response, fmt: str) -> list[dict]:
    """(title, link) of each item, read with feedparser or as JSON."""
    if fmt == "json":
        return [{"title": i["title"], "link": i["url"]} for i in json.loads(response.content)["items"]]
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return [{"title": e.title, "link": e.link} for e in parsed.entries]


EXPECTED = {
    "site": ["Dockworkers & crane makers talk", "Comet brightens", "Ships wait outside Brennhaven"],
    "section": ["Dockworkers & crane makers talk", "Ships wait outside Brennhaven"],
    "tag": ["Dockworkers & crane makers talk", "Ships wait outside Brennhaven"],
    "author": ["Dockworkers & crane makers talk", "Ships wait outside Brennhaven"],
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("scope", SCOPES)
def test_every_feed_lists_only_visible_stories_newest_first(client, site, scope, fmt):
    response = client.get(url_of(scope, fmt))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(TYPES[fmt])
    items = entries(response, fmt)
    assert [i["title"] for i in items] == EXPECTED[scope]
    assert all(i["link"].startswith(settings.SITE_URL + "/") for i in items)


@pytest.mark.parametrize("scope", SCOPES)
def test_json_feeds_validate_against_the_json_feed_schema(client, site, scope, jsonfeed_schema):
    data = json.loads(client.get(url_of(scope, "json")).content)
    jsonschema.validate(data, jsonfeed_schema)
    assert data["feed_url"] == settings.SITE_URL + url_of(scope, "json")


def test_the_json_feed_schema_rejects_what_the_spec_forbids(jsonfeed_schema):
    valid = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
             "items": [{"id": "1", "content_text": "x"}]}
    jsonschema.validate(valid, jsonfeed_schema)
    for broken in (
        {**valid, "version": "https://jsonfeed.org/version/1"},
        {**valid, "items": [{"id": "1"}]},  # neither content_html nor content_text
        {**valid, "items": [{"id": "1", "content_text": "x", "date_published": "today"}]},
        {**valid, "items": [{"id": "1", "content_text": "x", "attachments": [{"url": "x"}]}]},
        {k: v for k, v in valid.items() if k != "title"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, jsonfeed_schema)


def test_rss_items_carry_full_content_authors_categories_and_the_lead_image(client, site):
    root = etree.fromstring(client.get("/feed/").content)
    ns = {"content": "http://purl.org/rss/1.0/modules/content/",
          "dc": "http://purl.org/dc/elements/1.1/"}
    older = root.xpath("//item[title='Ships wait outside Brennhaven']")[0]
    assert older.xpath("dc:creator/text()", namespaces=ns) == ["Ingrid Solberg", "Tomasz Wren"]
    assert sorted(older.xpath("category/text()")) == ["Ports", "Strikes"]
    content = older.xpath("content:encoded/text()", namespaces=ns)[0]
    assert f'href="{settings.SITE_URL}/2020/01/02/earlier/"' in content
    assert f'src="{settings.SITE_URL}/media/c.png"' in content
    assert older.xpath("description/text()") == ["Thirty ships at anchor."]
    enclosure = older.xpath("enclosure")[0]
    assert enclosure.attrib == {"url": "https://cdn.example.org/photos/ship.jpg", "length": "0",
                                "type": "image/jpeg"}
    newer = root.xpath("//item[title='Dockworkers & crane makers talk']")[0]
    stored = newer.xpath("enclosure")[0]
    assert stored.get("url").startswith(settings.SITE_URL + "/media/")
    assert stored.get("type") == "image/png"
    assert int(stored.get("length")) == site["newer"].lead_image.file.size > 0
    assert newer.xpath("description/text()") == ["Talks began at noon."]  # no standfirst
    assert newer.xpath("guid/@isPermaLink") == ["false"]


def test_atom_entries_have_every_author_and_html_content(client, site):
    parsed = feedparser.parse(client.get("/feed/atom/").content)
    older = next(e for e in parsed.entries if e.title == "Ships wait outside Brennhaven")
    assert [a.name for a in older.authors] == ["Ingrid Solberg", "Tomasz Wren"]
    assert older.content[0].type == "text/html"
    assert "earlier report" in older.content[0].value
    assert [link.href for link in older.links if link.rel == "enclosure"] == [
        "https://cdn.example.org/photos/ship.jpg"]


def test_json_items_have_authors_image_and_attachments(client, site):
    items = json.loads(client.get("/feed.json").content)["items"]
    older = next(i for i in items if i["title"] == "Ships wait outside Brennhaven")
    assert [a["name"] for a in older["authors"]] == ["Ingrid Solberg", "Tomasz Wren"]
    assert older["image"] == "https://cdn.example.org/photos/ship.jpg"
    assert older["attachments"] == [{"url": "https://cdn.example.org/photos/ship.jpg",
                                     "mime_type": "image/jpeg"}]
    assert "earlier report" in older["content_html"]
    assert older["summary"] == "Thirty ships at anchor."


@override_settings(MASTHEAD_FEED_FULL_CONTENT=False)
def test_feeds_carry_only_summaries_when_full_content_is_off(client, site, jsonfeed_schema):
    assert b"content:encoded" not in client.get("/feed/").content
    assert b"<content" not in client.get("/feed/atom/").content
    data = json.loads(client.get("/feed.json").content)
    jsonschema.validate(data, jsonfeed_schema)
    assert all("content_html" not in i and i["content_text"] for i in data["items"])


@override_settings(MASTHEAD_FEED_ITEMS=2)
def test_feeds_hold_the_configured_number_of_items(client, site):
    assert len(entries(client.get("/feed/"), "rss")) == 2


def test_an_unknown_scope_is_not_found(client, site):
    assert client.get("/section/nowhere/feed/").status_code == 404
    assert client.get("/author/nobody/feed.json").status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_repeated_poll_gets_304_by_etag_or_by_date(client, site, fmt):
    first = client.get(url_of("site", fmt))
    assert first["Cache-Control"] == "public, max-age=300"
    by_etag = client.get(url_of("site", fmt), HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304
    assert by_etag["ETag"] == first["ETag"]
    assert by_etag["Cache-Control"] == "public, max-age=300"
    by_date = client.get(url_of("site", fmt), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304


def test_the_etag_changes_when_an_article_joins_or_leaves_the_feed(
        client, site, make_article):
    from masthead.articles.services import unpublish_article

    first = client.get("/feed/")["ETag"]
    make_article("Breaking: port reopens", section="World")
    second = client.get("/feed/", HTTP_IF_NONE_MATCH=first)
    assert second.status_code == 200
    unpublish_article(site["science"])
    third = client.get("/feed/", HTTP_IF_NONE_MATCH=second["ETag"])
    assert third.status_code == 200
    assert b"Comet brightens" not in third.content


def test_the_etag_changes_when_the_feed_switches_to_summaries(client, site):
    first = client.get("/feed/")["ETag"]
    with override_settings(MASTHEAD_FEED_FULL_CONTENT=False):
        assert client.get("/feed/", HTTP_IF_NONE_MATCH=first).status_code == 200


def test_a_feed_costs_a_fixed_number_of_queries(
        client, site, make_article, django_assert_num_queries):
    with django_assert_num_queries(5):  # scope, validators, items, their bylines and tags
        client.get("/section/world/feed/")
    for n in range(5):
        make_article(f"More {n}", section="World", tags=(f"t{n}",), authors=(f"A{n}",))
    with django_assert_num_queries(5):
        response = client.get("/section/world/feed/")
    with django_assert_num_queries(2):  # scope and validators only
        client.get("/section/world/feed/", HTTP_IF_NONE_MATCH=response["ETag"])


@pytest.mark.parametrize("path", ["/", "/section/world/", "/tag/ports/",
                                  "/author/ingrid-solberg/"])
def test_pages_advertise_their_feeds_and_the_links_work(client, site, path):
    doc = lxml_html.fromstring(client.get(path).content)
    links = {link.get("type"): link.get("href")
             for link in doc.xpath("//head/link[@rel='alternate']")}
    assert set(links) == set(TYPES.values())
    for fmt, content_type in TYPES.items():
        response = client.get(links[content_type])
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)
        assert links[content_type] == path + FORMATS[fmt]


@pytest.mark.parametrize("path", ["/feed/", "/feed.json", "/section/world/feed/atom/",
                                  "/tag/ports/feed/", "/author/ingrid-solberg/feed.json"])
def test_a_feed_reads_only_the_articles_it_shows(client, site, make_article, settings, path):
    """Issue 20: every statement on articles is cut to the feed's size, and what hangs off
    them (bylines, tags) is read for the shown articles' ids only, whatever the archive."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MASTHEAD_FEED_ITEMS = 2
    for n in range(6):
        make_article(f"More {n}", section="World", tags=("Ports",), authors=("Ingrid Solberg",))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    article_reads = 0
    for query in captured.captured_queries:
        sql = query["sql"]
        if 'FROM "articles_article"' in sql:
            article_reads += 1
            assert sql.rstrip().endswith("LIMIT 2"), sql
        elif re.search(r'"article_id" IN \(([^)]*)\)', sql):
            ids = re.search(r'"article_id" IN \(([^)]*)\)', sql).group(1).split(",")
            assert len(ids) <= 2, sql
    assert article_reads == 2  # the validators' stamps and the items
