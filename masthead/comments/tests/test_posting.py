"""Posting through the Leave a Reply form: fields, validation, display, closed articles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from lxml import html as lxml_html

from masthead.comments.models import Comment
from masthead.comments.privacy import decrypt_email, email_digest

from .conftest import approved_comment

pytestmark = pytest.mark.django_db


def parse(response):
    return lxml_html.fromstring(response.content.decode())


def test_article_page_has_the_contract_form_without_a_per_reader_csrf_token(client, article):
    page = parse(client.get(article.get_absolute_url()))
    form = page.xpath("//form[@class='comment-form']")[0]
    assert page.xpath("//h2[@id='reply-title']")[0].text_content().strip() == "Leave a Reply"
    notes = " ".join(form.xpath(".//p[@class='comment-notes']")[0].text_content().split())
    assert notes == "Your email address will not be published. Required fields are marked *"
    assert form.get("action") == "/comments/post/" and form.get("method") == "post"
    names = set(form.xpath(".//@name"))
    assert {"author", "email", "url", "comment", "comment_parent", "article"} <= names
    assert "csrfmiddlewaretoken" not in names  # the page is cached and shared by readers
    labels = {" ".join(x.text_content().split()) for x in form.xpath(".//label")}
    assert {"Name *", "Email *", "Website", "Comment *"} <= labels
    assert form.xpath(".//input[@name='article']/@value") == [str(article.pk)]


def test_valid_comment_redirects_to_its_permalink_and_is_stored_once(post, article):
    response = post(article)
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == (
        f"{article.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}")
    assert comment.author_name == "Ada Reader" and comment.body.startswith("A thoughtful")
    assert "private" in response["Cache-Control"]


def test_email_is_stored_encrypted_with_a_keyed_digest(post, article):
    post(article, email="  Ada@Example.ORG ")
    comment = Comment.objects.get()
    assert "ada@example.org" not in comment.email_encrypted.lower()
    assert decrypt_email(comment.email_encrypted) == "ada@example.org"
    assert comment.email_digest == email_digest("ada@example.org")


@pytest.mark.parametrize("field, value, message", [
    ("author", "", "Please enter your name."),
    ("email", "", "Please enter your email address"),
    ("comment", "   ", "Please type a comment."),
    ("email", "not-an-address", "Please enter a valid email address"),
    ("email", "a@b@c.example", "Please enter a valid email address"),
    ("url", "javascript:alert(1)", "starting with http:// or https://"),
    ("url", "ftp://files.example.org/", "starting with http:// or https://"),
    ("author", "N" * 101, "100 characters or fewer"),
    ("url", "https://example.org/" + "a" * 190, "200 characters or fewer"),
    ("comment", "x" * 5001, "5,000 characters or fewer"),
])
def test_invalid_field_gets_400_with_its_message_and_input_kept(post, article, field, value,
                                                                  message):
    response = post(article, **{field: value})
    assert response.status_code == 400
    page = parse(response)
    error = page.xpath(f"//*[@id='{field}-error']")
    assert error and message in error[0].text_content()
    assert page.xpath(f"//*[@name='{field}']/@aria-invalid") == ["true"]
    # The reader's other input is kept, so they only fix what was wrong.
    kept_author = page.xpath("//input[@name='author']/@value")
    assert kept_author == ([value] if field == "author" else ["Ada Reader"])
    assert Comment.objects.count() == 0
    assert "no-store" in response["Cache-Control"]


def test_comment_of_exactly_5000_characters_is_accepted(post, article):
    assert post(article, comment="y" * 5000).status_code == 303


def test_website_without_scheme_is_stored_as_https(post, article):
    post(article, url="ada.example.org")
    assert Comment.objects.get().author_url == "https://ada.example.org"


def test_comment_for_an_unknown_or_unpublished_article_is_refused(post, client, article):
    from masthead.articles.services import unpublish_article

    data_article = article
    unpublish_article(article)
    assert post(data_article).status_code == 400
    assert Comment.objects.count() == 0


def test_comments_disabled_on_the_article_refuse_politely(post, client, make_article):
    closed = make_article(comments_enabled=False)
    response = post(closed)
    assert response.status_code == 403
    assert "Comments are closed for this article." in response.content.decode()
    assert Comment.objects.count() == 0
    page = client.get(closed.get_absolute_url()).content.decode()
    assert "Comments are closed for this article." in page
    assert 'action="/comments/post/"' not in page


def test_comments_close_after_the_configured_number_of_days(post, client, make_article,
                                                            settings):
    settings.MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS = 14
    old = make_article(published_at=timezone.now() - dt.timedelta(days=15))
    recent = make_article(published_at=timezone.now() - dt.timedelta(days=13))
    assert post(old).status_code == 403
    assert post(recent, email="other@example.org").status_code == 303
    assert list(Comment.objects.values_list("article_id", flat=True)) == [recent.pk]


def test_text_is_escaped_with_paragraphs_and_linked_urls(client, article):
    approved_comment(article, body=(
        "<script>alert('x')</script> & <b>bold</b>\nsecond line\n\n"
        "See https://example.org/a?b=1&c=2. Or (https://en.wikipedia.org/wiki/Bridge_(disambiguation))"
        "\n\njavascript:alert(1) www.example.com"
    ))
    page = parse(client.get(article.get_absolute_url()))
    body = page.xpath("//div[@class='comment-body']")[0]
    assert not body.xpath(".//script") and not body.xpath(".//b")
    assert "<script>alert('x')</script> & <b>bold</b>" in body.text_content()
    assert len(body.xpath("./p")) == 3 and body.xpath("./p[1]/br")
    links = body.xpath(".//a")
    assert [a.get("href") for a in links] == [
        "https://example.org/a?b=1&c=2",
        "https://en.wikipedia.org/wiki/Bridge_(disambiguation)",
    ]
    assert {a.get("rel") for a in links} == {"nofollow ugc noopener"}


def test_author_website_link_is_marked_as_user_content(client, article):
    approved_comment(article, author_url="https://ada.example.org")
    link = parse(client.get(article.get_absolute_url())).xpath("//p[@class='comment-author']//a")
    assert link[0].get("rel") == "nofollow ugc noopener"


def test_avatars_are_drawn_locally_without_any_third_party_request(client, article):
    approved_comment(article, author_name="Zoë Example")
    page = parse(client.get(article.get_absolute_url()))
    avatar = page.xpath("//li[contains(@class,'comment')]//span[contains(@class,'avatar')]")[0]
    assert avatar.text_content() == "Z"
    fetched = page.xpath("//img/@src | //script/@src | //link[@rel='stylesheet']/@href")
    external = [u for u in fetched if u.startswith(("http:", "https:", "//"))]
    assert external == [] and b"gravatar" not in client.get(article.get_absolute_url()).content


def test_post_without_a_same_site_origin_is_refused(client, article):
    from .conftest import form_data

    data = form_data(article)
    assert client.post("/comments/post/", data).status_code == 403  # no Origin, no Referer
    assert client.post("/comments/post/", data,
                       HTTP_ORIGIN="https://evil.example").status_code == 403
    assert client.post("/comments/post/", data,
                       HTTP_REFERER="https://evil.example/page").status_code == 403
    assert Comment.objects.count() == 0
    ok = client.post("/comments/post/", data, HTTP_REFERER=f"http://testserver{article.get_absolute_url()}")
    assert ok.status_code == 303


def test_get_on_the_post_url_is_not_allowed(client):
    assert client.get("/comments/post/").status_code == 405


def test_reply_link_works_without_javascript(client, article):
    parent = approved_comment(article, author_name="Bea")
    page = parse(client.get(f"{article.get_absolute_url()}?replytocom={parent.pk}"))
    assert page.xpath("//input[@name='comment_parent']/@value") == [str(parent.pk)]
    assert "to Bea" in page.xpath("//h2[@id='reply-title']")[0].text_content()
    assert page.xpath("//p[@class='cancel-reply']/@hidden") == []
    link = page.xpath(f"//li[@id='comment-{parent.pk}']//a[@class='reply-link']")[0]
    assert link.get("href") == f"?replytocom={parent.pk}#respond"
    assert link.get("data-comment") == str(parent.pk)  # reply.js moves the form under it


def test_reply_script_is_deferred_and_served_from_this_site(client, article):
    page = parse(client.get(article.get_absolute_url()))
    script = page.xpath("//script[contains(@src,'comments/reply')]")[0]
    assert script.get("defer") is not None and script.get("src").startswith("/static/")
