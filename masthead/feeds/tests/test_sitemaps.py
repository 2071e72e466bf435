"""Sitemaps (validated against the sitemaps.org protocol), the news sitemap and robots.txt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from lxml import etree

from masthead.articles.models import Section

pytestmark = pytest.mark.django_db

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SM, "news": NEWS}
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("sitemap.xsd"))))


def body(response) -> bytes:
    """The whole body; sitemap files are streamed (sitemap_stream.py)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def fetch(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = etree.fromstring(body(response))
    assert SCHEMA.validate(root), SCHEMA.error_log
    return root


def sitemap_files(client) -> list[str]:
    index = fetch(client, "/sitemap.xml")
    assert index.tag == f"{{{SM}}}sitemapindex"
    return index.xpath("//sm:loc/text()", namespaces=NS)


def all_urls(client) -> dict[str, str | None]:
    urls = {}
    for loc in sitemap_files(client):
        assert loc.startswith(settings.SITE_URL + "/sitemap-")
        root = fetch(client, loc.removeprefix(settings.SITE_URL))
        for url in root.xpath("//sm:url", namespaces=NS):
            lastmod = url.xpath("sm:lastmod/text()", namespaces=NS)
            urls[url.xpath("sm:loc/text()", namespaces=NS)[0]] = lastmod[0] if lastmod else None
    return urls


def test_the_sitemaps_list_every_visible_url_and_nothing_else(client, site):
    Section.objects.create(name="Empty", slug="empty")
    urls = all_urls(client)
    expected = {"/", "/section/world/", "/section/science/", "/tag/ports/", "/tag/strikes/",
                "/tag/space/", "/author/ingrid-solberg/", "/author/tomasz-wren/",
                "/author/ada-reporter/", site["page"].get_absolute_url(),
                *(a.get_absolute_url() for a in site["stories"])}
    assert set(urls) == {settings.SITE_URL + path for path in expected}


def test_lastmod_is_the_articles_updated_time(client, site):
    urls = all_urls(client)
    for article in site["stories"]:
        lastmod = parse_datetime(urls[settings.SITE_URL + article.get_absolute_url()])
        assert lastmod == article.updated_at
    world = parse_datetime(urls[settings.SITE_URL + "/section/world/"])
    assert world == max(site["older"].updated_at, site["newer"].updated_at)


@override_settings(MASTHEAD_PAGE_SIZE=1)
def test_a_listings_lastmod_is_the_newest_update_on_its_first_page(client, site):
    """What a crawler fetches at a listing's URL is its first page: an edit to a story
    deeper in the listing leaves its lastmod alone, one on the first page moves it."""
    from masthead.articles import services as articles

    older, newer = site["older"], site["newer"]  # /tag/ports/ shows `newer` on page one
    older.body += " An update."
    articles.save_article(older)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.updated_at > newer.updated_at
    urls = all_urls(client)
    for listing in ("/tag/ports/", "/section/world/", "/author/ingrid-solberg/"):
        assert parse_datetime(urls[settings.SITE_URL + listing]) == newer.updated_at, listing
    assert parse_datetime(urls[settings.SITE_URL + "/tag/strikes/"]) == older.updated_at
    newer.body += " An update."
    articles.save_article(newer)
    newer.refresh_from_db()
    urls = all_urls(client)
    assert parse_datetime(urls[settings.SITE_URL + "/tag/ports/"]) == newer.updated_at


@override_settings(MASTHEAD_SITEMAP_URLS_PER_FILE=2)
def test_sitemaps_are_split_into_files_of_the_configured_size(client, site):
    from masthead.articles.models import Article

    files = [f for f in sitemap_files(client) if "-articles-" in f]
    last = -(-Article.objects.order_by("-pk").values_list("pk", flat=True)[0] // 2)
    assert [f.rsplit("/", 1)[1] for f in files] == [f"sitemap-articles-{n}.xml"
                                                    for n in range(1, last + 1)]
    sizes = [len(fetch(client, f.removeprefix(settings.SITE_URL)).xpath("//sm:url",
                                                                         namespaces=NS))
             for f in files]
    # Three stories and a page, split by id range (at most two a file; ids of drafts in the
    # fixture leave gaps), every one listed once.
    assert all(size <= 2 for size in sizes) and sum(sizes) == 4
    assert client.get(f"/sitemap-articles-{last + 1}.xml").status_code == 404
    assert client.get("/sitemap-articles-x.xml").status_code == 404
    assert client.get("/sitemap-nothing-1.xml").status_code == 404


def test_a_sitemap_file_costs_two_queries_whatever_its_size(
        client, site, make_article, django_assert_num_queries):
    # Streamed: the page's rows are read while the body is, so the body is read inside.
    with django_assert_num_queries(2):  # the highest id and the page
        body(client.get("/sitemap-articles-1.xml"))
    for n in range(10):
        make_article(f"Story {n}")
    with django_assert_num_queries(2):
        body(client.get("/sitemap-articles-1.xml"))
    with django_assert_num_queries(9):  # per sitemap: its size and its latest change
        client.get("/sitemap.xml")


def test_the_news_sitemap_has_the_last_two_days_with_publication_details(
        client, site, make_article):
    make_article("Last week's story", published_at=timezone.now() - dt.timedelta(days=3))
    root = fetch(client, "/news-sitemap.xml")
    news = root.xpath("//news:news", namespaces=NS)
    titles = [n.xpath("news:title/text()", namespaces=NS)[0] for n in news]
    assert titles == [a.headline for a in site["stories"]]
    for item in news:
        assert item.xpath("news:publication/news:name/text()", namespaces=NS) == [
            settings.SITE_NAME]
        assert item.xpath("news:publication/news:language/text()", namespaces=NS) == [
            settings.SITE_LANGUAGE]
    dates = [parse_datetime(d) for d in root.xpath("//news:publication_date/text()",
                                                   namespaces=NS)]
    assert dates == [a.published_at for a in site["stories"]]


def test_sitemaps_are_cacheable(client, site):
    assert client.get("/sitemap.xml")["Cache-Control"] == "public, max-age=900"
    assert client.get("/news-sitemap.xml")["Cache-Control"] == "public, max-age=300"


def test_robots_txt_points_at_the_sitemaps_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /newsroom/" in lines
    assert "Disallow: /search/" in lines
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines
    assert f"Sitemap: {settings.SITE_URL}/news-sitemap.xml" in lines


@override_settings(MASTHEAD_SITEMAP_URLS_PER_FILE=3)
def test_id_range_files_list_exactly_what_offset_pages_list(client, make_article):
    """The article files, read in order, are the one list Django's counting paginator gives."""
    from django.core.paginator import Paginator

    from masthead.feeds.sitemaps import ArticleSitemap

    for n in range(17):
        make_article(f"Story {n}", status="draft" if n % 4 == 1 else "published")
    files = [f for f in sitemap_files(client) if "-articles-" in f]
    ranged = [url.text for f in files
              for url in fetch(client, f.removeprefix(settings.SITE_URL)).xpath(
                  "//sm:url/sm:loc", namespaces=NS)]
    pages = Paginator(ArticleSitemap().items(), 3)
    counted = [settings.SITE_URL + a.get_absolute_url() for n in pages.page_range
               for a in pages.page(n).object_list]
    assert ranged == counted and len(ranged) == 13


def test_the_news_sitemap_reads_only_the_last_two_days(client, site, make_article):
    """Issue 20: one statement on articles, bounded below by the two-day cut-off (an index
    range on the publication time, tests/test_query_plans.py) and to Google's 1,000 URLs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(5):
        make_article(f"Old {n}", published_at=timezone.now() - dt.timedelta(days=3 + n))
    with CaptureQueriesContext(connection) as captured:
        root = fetch(client, "/news-sitemap.xml")
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "articles_article"' in q["sql"]]
    assert len(reads) == 1
    assert '"published_at" >= ' in reads[0] and reads[0].rstrip().endswith("LIMIT 1000")
    assert len(root.xpath("//sm:url", namespaces=NS)) == len(site["stories"])
