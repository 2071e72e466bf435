"""A control character cannot take a feed down (issue 15, item 1).

An article published through the newsroom with a form feed in its body made `/feed/atom/` and
the author's feed answer 500. Now stored text is cleaned on every save, and every feed cleans
what it writes even when a text escaped that rule (here: written with a queryset `update`).
"""

from __future__ import annotations

import json

import pytest
from lxml import etree

from masthead.articles.models import Article, Author
from masthead.core.text import clean_text

CONTROLS = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
FEEDS = ["/feed/", "/feed/atom/", "/feed.json", "/comments/feed/", "/comments/feed/atom/",
         "/sitemap.xml", "/news-sitemap.xml"]


def _assert_valid(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    if path.endswith(".json"):
        json.loads(response.content)
    else:
        etree.fromstring(response.content)  # strict XML 1.0: raises on any illegal character


def test_clean_text_removes_what_xml_cannot_carry_and_keeps_the_rest():
    assert clean_text("a\x0cb\x0bc\x00d\ud800e\ufffff") == "abcdef"
    kept = "tab\there\nline\r\n é ü 中文 \U0001f600 \x7f \x85 \u2028 \ufffd"
    assert clean_text(kept) == kept
    assert clean_text(CONTROLS) == ""


@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_survives_text_that_escaped_the_cleaning(make_article, client, path):
    article = make_article("Clean headline", body="Clean body.", tags=("Ports",))
    # `update` skips save(), and with it the cleaning receiver: the feeds must cope anyway.
    Article.objects.filter(pk=article.pk).update(
        headline="Dirty\x0c headline\x0b", standfirst="Stand\x01first",
        body_html="<p>Body \x0c with \x1b controls\ud7ff</p>")
    Author.objects.filter(bylines__article=article).update(name="Ada\x08 Reporter")
    _assert_valid(client, path)
    author = Author.objects.get(bylines__article=article)
    _assert_valid(client, f"/author/{author.slug}/feed/")
    _assert_valid(client, f"/author/{author.slug}/feed/atom/")
