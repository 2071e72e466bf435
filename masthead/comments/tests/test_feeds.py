"""Comment feeds: RSS 2.0 and Atom, approved comments on visible articles, absolute URLs."""

from __future__ import annotations

import pytest
from lxml import etree

from masthead.articles.services import unpublish_article
from masthead.comments.privacy import email_digest, encrypt_email

from .conftest import approved_comment

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def comments(article, make_article):
    hidden_article = make_article("Withdrawn story")
    shown = approved_comment(article, author_name="Feed Reader", body="Shown <b>text</b>",
                             email_encrypted=encrypt_email("feed@example.org"),
                             email_digest=email_digest("feed@example.org"))
    approved_comment(article, status="pending", body="Held text")
    approved_comment(hidden_article, body="On a withdrawn story")
    unpublish_article(hidden_article)
    return shown


def test_site_comment_feed_is_rss_with_approved_comments_only(client, comments, article):
    response = client.get("/comments/feed/")
    assert response.status_code == 200 and "rss+xml" in response["Content-Type"]
    root = etree.fromstring(response.content)
    items = root.findall("./channel/item")
    assert len(items) == 1
    item = items[0]
    assert item.findtext("title") == f"Feed Reader on “{article.headline}”"
    link = item.findtext("link")
    assert link == f"http://127.0.0.1:8000{article.get_absolute_url()}#comment-{comments.pk}"
    assert "Shown &lt;b&gt;text&lt;/b&gt;" in item.findtext("description")
    assert b"feed@example.org" not in response.content and b"Held text" not in response.content
    assert b"withdrawn" not in response.content.lower()
    assert "public" in response["Cache-Control"]
    assert "comments" in response["Surrogate-Key"].split()


def test_site_comment_feed_in_atom(client, comments):
    root = etree.fromstring(client.get("/comments/feed/atom/").content)
    assert root.tag == f"{ATOM}feed"
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Feed Reader"
    assert entry.find(f"{ATOM}author/{ATOM}email") is None
    assert entry.find(f"{ATOM}link").get("href").startswith("http://127.0.0.1:8000/")


def test_article_comment_feed_lists_that_articles_comments(client, comments, article,
                                                           make_article):
    other = make_article()
    approved_comment(other, body="Elsewhere")
    response = client.get(f"/comments/feed/{article.pk}/")
    assert response.status_code == 200
    titles = [i.findtext("title") for i in etree.fromstring(response.content).iter("item")]
    assert titles == [f"Feed Reader on “{article.headline}”"]
    assert f"a:{article.pk}" in response["Surrogate-Key"].split()
    atom = client.get(f"/comments/feed/{article.pk}/atom/")
    assert atom.status_code == 200 and b"Elsewhere" not in atom.content


def test_article_comment_feed_of_an_unpublished_article_is_not_found(client, article):
    unpublish_article(article)
    assert client.get(f"/comments/feed/{article.pk}/").status_code == 404
    assert client.get("/comments/feed/999999/").status_code == 404


def test_article_page_links_its_comment_feed(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="/comments/feed/{article.pk}/" rel="alternate" type="application/rss+xml"' \
        in page


def test_feed_queries_do_not_grow_with_items(client, article, django_assert_max_num_queries):
    approved_comment(article)
    client.get("/comments/feed/")
    with django_assert_max_num_queries(3) as few:
        client.get("/comments/feed/")
    for i in range(20):
        approved_comment(article, body=f"c{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/comments/feed/")
