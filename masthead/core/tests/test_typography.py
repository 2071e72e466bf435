"""Typographic quotes and dashes: what `smarten` does, the rendered body, and which texts keep
what was typed (stored fields, feeds' titles, the JSON API)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from masthead.core.html import render_markdown
from masthead.core.typography import smarten


@pytest.mark.parametrize(("typed", "shown"), [
    ("Kovan returns as state media hails 'historic' trip",
     "Kovan returns as state media hails ‘historic’ trip"),
    ('He said "no" -- twice', "He said “no” – twice"),
    ("Dockworkers' strike halts Brennhaven's port", "Dockworkers’ strike halts Brennhaven’s port"),
    ("Prices rose in the '90s", "Prices rose in the ’90s"),
    ("Wait... what---really?", "Wait… what—really?"),
    ("1897-1902 and a well-known rule", "1897–1902 and a well-known rule"),
    ('"Quoted" at the start', "“Quoted” at the start"),
    ("(\"in brackets\")", "(“in brackets”)"),
    ("Nothing to do here", "Nothing to do here"),
    ("", ""),
])
def test_smarten(typed, shown):
    assert smarten(typed) == shown


def test_rendered_body_gets_curly_quotes_but_code_keeps_straight_ones():
    html = render_markdown('She said "it\'s over" -- and left.\n\n`x = "raw"`\n')
    assert "She said “it’s over” – and left." in html
    assert '<code>x = "raw"</code>' in html or "<code>x = &quot;raw&quot;</code>" in html


@pytest.mark.django_db
def test_pages_show_curly_quotes_while_stored_text_feeds_and_api_keep_what_was_typed(
        client, make_article):
    typed = "Kovan hails 'historic' trip"
    article = make_article(typed, standfirst='A "new chapter", he said.',
                           body="The minister's words.")
    assert article.headline == typed  # stored as typed
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    assert page.xpath("//h1")[0].text == "Kovan hails ‘historic’ trip"
    assert page.xpath("//p[@class='standfirst']")[0].text == "A “new chapter”, he said."
    assert "The minister’s words." in page.xpath("//div[@class='body']")[0].text_content()
    front = lxml_html.fromstring(client.get("/").content)
    assert "Kovan hails ‘historic’ trip" in [h.text_content() for h in front.xpath("//h2|//h3")]
    feed = client.get("/feed.json").json()
    assert feed["items"][0]["title"] == typed
    api = client.get(f"/api/v1/articles/{article.pk}/")
    assert api.status_code == 200, api.content
    assert api.json()["headline"] == typed
