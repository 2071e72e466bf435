"""Reader pages: anatomy of the article page, listings, pagination, errors and query counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from lxml import html as lxml_html

pytestmark = pytest.mark.django_db


def parse(response):
    return lxml_html.fromstring(response.content)


def test_article_page_has_the_seed_pages_anatomy(client, make_article):
    article = make_article(
        "Leader inspects warships", body="Lede.\n\n## First part\n\nText.\n\n## Second part\n\nMore.",
        tags=("Navy", "State visit"), authors=("Helena Marsh", "Tomasz Wren"),
        standfirst="A short summary.",
    )
    make_article("Another navy story", tags=("Navy",))
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    doc = parse(response)
    assert doc.get("lang") == "en"
    assert [h.text_content() for h in doc.iter("h1")] == ["Leader inspects warships"]
    story = doc.xpath("//article[contains(@class,'story')]")[0]
    assert [a.text for a in story.xpath(".//p[@class='byline']/a")] == ["Helena Marsh", "Tomasz Wren"]
    assert story.xpath(".//time/@datetime")[0].startswith(str(article.published_at.year))
    assert [h.text for h in story.xpath(".//div[@class='body']/h2")] == ["First part", "Second part"]
    assert "min read" in story.xpath(".//p[@class='dateline']")[0].text_content()
    related = doc.xpath("//section[@class='related']")[0]
    assert related.xpath("./h2")[0].text == "Articles You May Like"
    assert related.xpath(".//a")[0].text_content() == "Another navy story"
    # The related block comes after the article and before the comments.
    sections = [s.get("id") or s.get("class") for s in doc.xpath("//main/section")]
    assert sections == ["related", "comments"]
    assert doc.xpath("//a[@class='skip-link']/@href") == ["#main"]
    assert doc.xpath("//link[@rel='canonical']/@href")[0].endswith(article.get_absolute_url())


def test_article_page_reply_form_has_exactly_the_contract_fields(client, make_article):
    article = make_article("Comment on me")
    doc = parse(client.get(article.get_absolute_url()))
    form = doc.xpath("//form[@action='/comments/post/']")[0]
    heading = doc.xpath("//div[@id='respond']/h2")[0].text_content()
    assert heading == "Leave a Reply"
    notes = " ".join(form.xpath(".//p[@class='comment-notes']")[0].text_content().split())
    assert notes == "Your email address will not be published. Required fields are marked *"
    labels = {lab.get("for"): " ".join(lab.text_content().split()) for lab in form.iter("label")}
    assert labels["author"] == "Name *"
    assert labels["email"] == "Email *"
    assert labels["url"] == "Website"
    assert labels["comment"] == "Comment *"
    names = set(form.xpath(".//input/@name") + form.xpath(".//textarea/@name"))
    assert {"author", "email", "url", "comment", "comment_parent", "article"} <= names
    assert form.xpath(".//input[@name='article']/@value") == [str(article.pk)]
    assert form.xpath(".//input[@name='comment_parent']/@type") == ["hidden"]


def test_article_json_ld_is_a_news_article_with_required_fields(client, make_article):
    article = make_article("Structured", tags=("Navy",), standfirst="Summary here.")
    doc = parse(client.get(article.get_absolute_url()))
    blocks = [json.loads(s.text) for s in doc.xpath("//script[@type='application/ld+json']")]
    news = next(b for b in blocks if b["@type"] == "NewsArticle")
    for field in ("headline", "datePublished", "dateModified", "author", "publisher",
                  "articleSection", "keywords"):
        assert news[field], field
    assert any(b["@type"] == "BreadcrumbList" for b in blocks)


def test_draft_article_page_is_404(client, make_article):
    article = make_article("Secret draft", status="draft",
                           published_at=timezone.now() - dt.timedelta(hours=1))
    assert client.get(article.get_absolute_url()).status_code == 404


def test_front_page_lists_latest_and_section_blocks(client, make_article):
    for n in range(3):
        make_article(f"World story {n}", section="World")
        make_article(f"Science story {n}", section="Science")
    make_article("Hidden draft", status="draft")
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "World story 2" in text and "Science story 0" in text
    assert "Hidden draft" not in text
    assert "public" in response["Cache-Control"]
    assert len(parse(response).xpath("//h1")) == 1


def test_front_page_query_count_does_not_grow_with_articles(client, make_article, django_assert_max_num_queries):
    for n in range(30):
        make_article(f"Story {n}", section=["World", "Science", "Health"][n % 3],
                     tags=(f"T{n % 4}",), authors=(f"Writer {n % 5}",))
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


def test_article_page_query_count_is_bounded(client, make_article, django_assert_max_num_queries):
    articles = [make_article(f"Navy story {n}", tags=("Navy", "Fleet")) for n in range(10)]
    with django_assert_max_num_queries(12):
        assert client.get(articles[0].get_absolute_url()).status_code == 200


@override_settings(MASTHEAD_PAGE_SIZE=5)
def test_section_listing_paginates_and_bad_pages_are_404(client, make_article, django_assert_max_num_queries):
    for n in range(12):
        make_article(f"Politics {n:02d}", section="Politics")
    with django_assert_max_num_queries(8):
        first = client.get("/section/politics/")
    assert first.status_code == 200
    assert len(parse(first).xpath("//div[@class='listing']/article")) == 5
    third = client.get("/section/politics/?page=3")
    assert len(parse(third).xpath("//div[@class='listing']/article")) == 2
    assert parse(third).xpath("//meta[@name='robots']/@content") == ["noindex, follow"]
    assert client.get("/section/politics/?page=4").status_code == 404
    assert client.get("/section/politics/?page=abc").status_code == 404
    assert client.get("/section/nope/").status_code == 404


def test_tag_and_author_listings_show_their_articles(client, make_article):
    make_article("Tagged one", tags=("Sanctions",), authors=("Ingrid Solberg",))
    make_article("Untagged", authors=("Someone Else",))
    tag_page = client.get("/tag/sanctions/").content.decode()
    assert "Tagged one" in tag_page and "Untagged" not in tag_page
    author_page = client.get("/author/ingrid-solberg/").content.decode()
    assert "Tagged one" in author_page and "Untagged" not in author_page


def test_unknown_page_gets_the_friendly_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_server_error_page_is_a_friendly_500(rf):
    from masthead.articles.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_stylesheet_is_small_and_has_dark_mode_and_focus_styles():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "masthead" / "site.css").read_text()
    assert len(css.encode()) < 12_000
    assert "prefers-color-scheme:dark" in css.replace(" ", "")
    assert ":focus-visible" in css
    assert "@import" not in css and "url(" not in css  # no external fonts or images


def test_wordpress_query_permalink_redirects(client, make_article):
    from masthead.articles.models import Redirect

    article = make_article("Imported")
    Redirect.objects.create(old_path="/?p=123", article=article)
    response = client.get("/?p=123")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


@override_settings(MASTHEAD_PAGE_SIZE=5)
def test_listing_pages_link_newer_and_older_without_counting_the_listing(client, make_article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(10):
        make_article(f"Politics {n:02d}", section="Politics", tags=("Vote",), authors=("Ann",))
    for path in ("/section/politics/", "/tag/vote/", "/author/ann/"):
        with CaptureQueriesContext(connection) as queries:
            first = parse(client.get(path))
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        # The teasers' comment counts, one grouped query; never a count of the listing.
        assert all("comments_comment" in sql for sql in counts), (path, counts)
        assert first.xpath("//a[@rel='next']/@href")[0].startswith("?page=2&older=")
        assert first.xpath("//a[@rel='prev']") == []
        second = parse(client.get(path + "?page=2"))
        assert second.xpath("//a[@rel='prev']/@href") == ["?page=1"]
        assert second.xpath("//a[@rel='next']") == []  # exactly two full pages
        assert len(second.xpath("//div[@class='listing']/article")) == 5
        assert client.get(path + "?page=3").status_code == 404
    for bad in ("0", "-1", "1.5", "9999999999999999999999"):
        assert client.get(f"/section/politics/?page={bad}").status_code == 404


def test_an_empty_listing_is_a_page_not_an_error(client, make_article):
    make_article("Elsewhere", section="World")
    from masthead.articles.models import Section

    Section.objects.create(name="Quiet", slug="quiet")
    response = client.get("/section/quiet/")
    assert response.status_code == 200
    assert "No articles yet." in response.content.decode()
