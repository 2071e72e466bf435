"""A corpus of hostile form input: each is refused with a 4xx and nothing stored, or stored
and shown escaped — never executed, never able to break out of its element."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from masthead.comments import services
from masthead.comments.models import Comment

from .conftest import ORIGIN, form_data

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(document.cookie)</script>"
HOSTILE_TEXT = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "<a href=\"javascript:alert(1)\">click</a>",
    "javascript:alert(1)",
    "<svg/onload=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x3C;b&#x3E;",
    "https://example.org/\"onmouseover=\"alert(1)",
    "https://example.org/<script>",
    "Name\u202eevil.exe\u202c and \u2066isolate\u2069",
    "{{ settings.SECRET_KEY }} {% debug %}",
    "</textarea><script>alert(1)</script>",
    "line\r\nbreak\rcarriage",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
@pytest.mark.parametrize("field", ["comment", "author"])
def test_hostile_text_is_stored_and_shown_only_as_text(post, client, article, text, field):
    response = post(article, **{field: text})
    if response.status_code != 303:
        assert 400 <= response.status_code < 500
        assert Comment.objects.count() == 0
        return
    comment = Comment.objects.get()
    assert "\u202e" not in comment.author_name + comment.body  # bidi overrides dropped
    services.approve_comments([comment.pk])
    html = client.get(article.get_absolute_url()).content.decode()
    page = lxml_html.fromstring(html)
    shown = page.xpath(f"//li[@id='comment-{comment.pk}']")[0]
    assert not shown.xpath(".//script | .//img | .//svg | .//*[@onerror] | .//*[@onload]"
                           " | .//*[@onmouseover]")
    assert all(not h.lower().startswith("javascript:") for h in shown.xpath(".//a/@href"))
    assert "SECRET" not in html or "settings.SECRET_KEY" in html  # not evaluated


@pytest.mark.parametrize("field", ["comment", "author", "url"])
def test_null_bytes_are_refused(post, article, field):
    response = post(article, **{field: "before\x00after"})
    assert response.status_code == 400
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)",
                                 "data:text/html,<script>alert(1)</script>",
                                 "vbscript:msgbox", "http://", "https://"])
def test_only_http_websites_are_accepted(post, article, url):
    response = post(article, url=url)
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_scheme_relative_website_is_stored_as_https(post, article):
    assert post(article, url="//site.example/x").status_code == 303
    assert Comment.objects.get().author_url == "https://site.example/x"


def test_ten_megabyte_body_is_refused_quickly_and_nothing_stored(client, article):
    data = form_data(article, comment="A" * (10 * 1024 * 1024))
    response = client.post("/comments/post/", data, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 413
    assert Comment.objects.count() == 0


def test_invalid_utf8_is_refused_and_nothing_stored(client, article):
    from urllib.parse import urlencode

    body = urlencode(form_data(article)).encode() + b"&comment=bad+%ff%fe+bytes"
    body = body.replace(b"comment=A+thoughtful", b"ignored=A+thoughtful")
    response = client.post("/comments/post/", body,
                           content_type="application/x-www-form-urlencoded",
                           HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_raw_invalid_utf8_bytes_in_the_request_are_refused(client, article):
    from urllib.parse import urlencode

    fields = form_data(article)
    fields.pop("comment")
    body = urlencode(fields).encode() + b"&comment=\xff\xfe\xc3"
    response = client.post("/comments/post/", body,
                           content_type="application/x-www-form-urlencoded",
                           HTTP_ORIGIN=ORIGIN)
    assert 400 <= response.status_code < 500
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("value", ["-1", "abc", "1e9", "99999999999999999999999"])
def test_malformed_parent_or_article_ids_are_refused(post, article, value):
    assert post(article, comment_parent=value).status_code == 400
    assert post(article, article=value).status_code == 400
    assert Comment.objects.count() == 0


def test_a_form_field_given_twice_uses_one_value_and_stores_once(client, article):
    from urllib.parse import urlencode

    body = urlencode(form_data(article)) + "&comment=second+value"
    response = client.post("/comments/post/", body,
                           content_type="application/x-www-form-urlencoded",
                           HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 303
    assert Comment.objects.get().body == "second value"


def test_echoed_input_on_a_400_page_is_escaped(post, article):
    response = post(article, author=SCRIPT, email="bad", comment='</textarea><script>x()</script>')
    assert response.status_code == 400
    page = lxml_html.fromstring(response.content)
    assert not page.xpath("//main//script[not(@src)]")
    assert page.xpath("//textarea[@name='comment']")[0].text == '</textarea><script>x()</script>'
