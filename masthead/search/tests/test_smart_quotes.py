"""A body rendered with curly apostrophes is still found by a query typed with a straight one
(and the other way round): both engines split words at any punctuation."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

pytestmark = pytest.mark.django_db


def headlines(client, q) -> list[str]:
    doc = lxml_html.fromstring(client.get("/search/", {"q": q}).content)
    return [h.text_content() for h in
            doc.xpath("//article[contains(@class,'search-result')]//h2")]


def test_straight_and_curly_apostrophes_find_the_same_story(client, publish):
    article = publish("Harbour news", body="Brennhaven's dockers walked out at dawn.")
    assert "Brennhaven’s" in article.body_html  # rendered with a curly apostrophe
    assert headlines(client, "Brennhaven's") == ["Harbour news"]
    assert headlines(client, "Brennhaven’s") == ["Harbour news"]
    assert headlines(client, "dockers") == ["Harbour news"]
