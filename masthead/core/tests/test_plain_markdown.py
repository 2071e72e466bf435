"""The plain-text fast path of `render_markdown` gives markdown-it's exact output (issue 20:
an import renders every body, a million of them at archive scale)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.core import html

_WORDS = st.sampled_from(["the", "Minister", "said", "42", "a.", "b,", "why?", "no!", "x:y",
                          "end;", "A", "2.", "1)", "#", "##", "-", "*", "..", "!!", "(c)",
                          "'quote'", '"q"', "--", "_em_", "&amp;", "<b>", "  ", " ", "\t",
                          "www.x.com", "café"])
_LINE = st.lists(_WORDS, max_size=8).map(" ".join)
_HEADING = st.tuples(st.sampled_from(["#", "##", "###", "####", "#"]), _LINE).map(
    lambda t: f"{t[0]} {t[1]}")
_BODY = st.lists(st.one_of(_LINE, _HEADING, st.just("")), max_size=12).map("\n".join)


def full_render(text: str) -> str:
    tokens = html._md.parse(text)
    html._shift_headings(tokens)
    html._anchor_headings(tokens)
    return html.sanitise_html(html._md.renderer.render(tokens, html._md.options, {}))


@settings(max_examples=1500, deadline=None)
@given(_BODY)
def test_fast_path_equals_markdown_it_whenever_it_answers(body):
    plain = html._render_plain(body)
    if plain is not None:
        assert html.sanitise_html(plain) == full_render(body)
    assert html.render_markdown(body) == full_render(body)


def test_plain_paragraphs_and_headings_take_the_fast_path():
    body = ("Tax rises were announced on Monday. Markets fell 2 percent.\nMore later.\n\n"
            "## What it means\nFor savers: little.\n\n## What it means\n\n# Top\n### Deeper")
    assert html._render_plain(body) is not None
    assert html.render_markdown(body) == full_render(body)
    assert 'id="what-it-means-2"' in html.render_markdown(body)


def test_markup_and_typography_go_to_the_parser():
    for body in ("It's *here*", "Wait...", "1. first", "a  \nb", " indented", "x -- y",
                 "Title\n===", "[link](http://x)"):
        assert html._render_plain(body) is None, body
