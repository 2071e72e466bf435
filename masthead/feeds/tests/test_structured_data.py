"""What crawlers and sharing cards read from an article page: JSON-LD, OpenGraph, canonical."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.utils.dateparse import parse_datetime
from lxml import html as lxml_html

pytestmark = pytest.mark.django_db


def head_of(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def json_ld(doc) -> dict[str, dict]:
    blocks = [json.loads(s.text) for s in doc.xpath("//script[@type='application/ld+json']")]
    return {b["@type"]: b for b in blocks}


def test_the_article_page_describes_a_news_article_with_every_required_field(client, site):
    article = site["older"]
    data = json_ld(head_of(client, article.get_absolute_url()))
    news = data["NewsArticle"]
    url = settings.SITE_URL + article.get_absolute_url()
    assert news["@context"] == "https://schema.org"
    assert news["headline"] == article.headline
    assert news["url"] == news["mainEntityOfPage"]["@id"] == url
    assert parse_datetime(news["datePublished"]) == article.published_at
    assert parse_datetime(news["dateModified"]) == article.updated_at
    assert [(a["@type"], a["name"]) for a in news["author"]] == [
        ("Person", "Ingrid Solberg"), ("Person", "Tomasz Wren")]
    assert all(a["url"].startswith(settings.SITE_URL + "/author/") for a in news["author"])
    assert news["publisher"] == {"@type": "Organization", "name": settings.SITE_NAME,
                                 "url": settings.SITE_URL + "/"}
    assert news["image"] == ["https://cdn.example.org/photos/ship.jpg"]
    assert news["articleSection"] == "World"
    assert sorted(news["keywords"]) == ["Ports", "Strikes"]
    assert news["description"] == "Thirty ships at anchor."


def test_the_breadcrumbs_lead_from_home_through_the_section_to_the_article(client, site):
    article = site["older"]
    crumbs = json_ld(head_of(client, article.get_absolute_url()))["BreadcrumbList"]
    items = crumbs["itemListElement"]
    assert [(i["position"], i["name"]) for i in items] == [
        (1, "Home"), (2, "World"), (3, article.headline)]
    assert items[-1]["item"] == settings.SITE_URL + article.get_absolute_url()


def test_a_headline_cannot_break_out_of_the_json_ld_script(client, make_article):
    article = make_article("</script><script>alert(1)</script> & more")
    doc = head_of(client, article.get_absolute_url())
    assert json_ld(doc)["NewsArticle"]["headline"] == article.headline
    assert len(doc.xpath("//script[@type='application/ld+json']")) == 2


def test_sharing_tags_and_the_canonical_link_are_absolute(client, site):
    article = site["newer"]
    doc = head_of(client, article.get_absolute_url())
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.xpath("//meta")}
    url = settings.SITE_URL + article.get_absolute_url()
    assert doc.xpath("//link[@rel='canonical']/@href") == [url]
    assert meta["og:url"] == url
    assert meta["og:type"] == "article"
    assert meta["og:title"] == article.headline
    assert meta["og:image"].startswith(settings.SITE_URL + "/media/")
    assert meta["twitter:card"] == "summary_large_image"
    # No standfirst: the description falls back to the opening of the body.
    assert meta["og:description"] == meta["description"]
    assert meta["description"].startswith("Talks began at")


def test_listing_pages_beyond_the_first_are_not_indexed(client, make_article):
    for n in range(25):
        make_article(f"Story {n}", section="World")
    first = head_of(client, "/section/world/")
    second = head_of(client, "/section/world/?page=2")
    assert first.xpath("//meta[@name='robots']") == []
    assert second.xpath("//meta[@name='robots']/@content") == ["noindex, follow"]
