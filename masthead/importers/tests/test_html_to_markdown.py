"""HTML → Markdown: structure survives, hostile markup does not, any input is accepted.

Examples pin the structure; hypothesis properties hold the safety promises of
`importers.html_to_markdown` over arbitrary (and deliberately hostile) HTML.
"""

from __future__ import annotations

import re

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from masthead.core.html import render_markdown
from masthead.importers.html_to_markdown import (
    html_to_markdown,
    html_to_plain_text,
    text_to_markdown,
)


def rendered(markdown: str):
    """Masthead's own rendering of the Markdown, parsed, for structural assertions."""
    return lxml.html.fragment_fromstring(render_markdown(markdown), create_parent="div")


def test_h1_is_demoted_and_deeper_headings_keep_their_level():
    md = html_to_markdown("<h1>Top</h1><h2>Second</h2><h3>Third</h3><h5>Fifth</h5>")
    assert md == "## Top\n\n## Second\n\n### Third\n\n##### Fifth"


def test_paragraphs_emphasis_and_line_breaks():
    md = html_to_markdown("<p>One <em>two</em> <strong>three</strong></p><p>a<br>b</p>")
    assert md == "One *two* **three**\n\na\\\nb"
    doc = rendered(md)
    assert [p.text_content() for p in doc.iter("p")] == ["One two three", "a\nb"]
    assert doc.find(".//em").text == "two" and doc.find(".//br") is not None


def test_nested_lists_stay_nested_and_ordered_lists_keep_their_start():
    md = html_to_markdown(
        "<ul><li>one</li><li>two<ul><li>inner</li></ul></li></ul><ol start='4'><li>d</li></ol>"
    )
    doc = rendered(md)
    outer = doc.find("ul")
    assert [li.text.strip() for li in outer.findall("li")] == ["one", "two"]
    assert outer.find("li/ul/li").text == "inner"
    assert doc.find("ol").get("start") == "4"


def test_blockquote_with_several_paragraphs():
    doc = rendered(html_to_markdown("<blockquote><p>first</p><p>second</p></blockquote>"))
    assert [p.text for p in doc.findall("blockquote/p")] == ["first", "second"]


def test_code_and_preformatted_text_are_kept_literally():
    md = html_to_markdown(
        '<p>Call <code>f(*args)</code></p><pre class="language-python">if a &lt; b:\n'
        "    print('&lt;script&gt;')</pre>"
    )
    doc = rendered(md)
    assert doc.find(".//p/code").text == "f(*args)"
    assert doc.find(".//pre/code").text == "if a < b:\n    print('<script>')\n"
    assert "```python" in md


def test_simple_table_becomes_a_pipe_table():
    doc = rendered(
        html_to_markdown("<table><tr><th>Name</th><th>a|b</th></tr><tr><td>x</td></tr></table>")
    )
    assert [th.text for th in doc.iter("th")] == ["Name", "a|b"]
    assert [td.text for td in doc.iter("td")] == ["x", None]


def test_links_and_images_keep_only_safe_urls():
    md = html_to_markdown(
        '<a href="https://example.com/a b">ok</a> <a href="mailto:x@example.com">mail</a> '
        '<a href="javascript:alert(1)">bad</a> <a href="java\tscript:alert(1)">tab</a> '
        '<img src="http://example.com/i.png" alt="An [alt]" onerror="alert(1)"> '
        '<img src="data:image/png;base64,AAAA" alt="inline"> <a href="/local">site</a>'
    )
    doc = rendered(md)
    hrefs = [a.get("href") for a in doc.iter("a")]
    assert hrefs == ["https://example.com/a%20b", "mailto:x@example.com", "/local"]
    assert [(i.get("src"), i.get("alt")) for i in doc.iter("img")] == [
        ("http://example.com/i.png", "An [alt]")
    ]
    assert "bad" in doc.text_content() and "tab" in doc.text_content()


def test_relative_urls_resolve_against_the_base_url():
    md = html_to_markdown('<a href="page.html">p</a> <img src="/i.png">', "https://ex.com/d/")
    assert md == "[p](https://ex.com/d/page.html) ![](https://ex.com/i.png)"


def test_a_link_whose_text_is_its_url_becomes_an_autolink():
    assert html_to_markdown('<a href="https://ex.com/x_y">https://ex.com/x_y</a>') == (
        "<https://ex.com/x_y>"
    )


def test_active_content_and_page_chrome_are_dropped_with_their_text():
    md = html_to_markdown(
        "<nav>Menu</nav><script>alert(1)</script><style>p{}</style><iframe>frame</iframe>"
        "<form>Search <input name=q><button>Go</button></form><p>Story</p><noscript>x</noscript>"
    )
    assert md == "Story"


def test_figure_caption_follows_its_image():
    md = html_to_markdown(
        '<figure><img src="https://ex.com/a.jpg" alt="A"><figcaption>The <em>caption</em>'
        "</figcaption></figure>"
    )
    assert md == "![A](https://ex.com/a.jpg)\n\n*The caption*"


def test_text_that_looks_like_markdown_is_shown_literally():
    text = "1. not a list # nor * emphasis _x_ [a](b) `c` <b> | ~~d~~ &amp; \\"
    html = "<p>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</p>"
    lines = ["# heading?", "- item?", "> quote?", "---", "2) item?", "+ item?"]
    for case in [html, "<p>" + "<br>".join(lines) + "</p>"]:
        doc = rendered(html_to_markdown(case))
        assert [el.tag for el in doc] == ["p"]
    assert rendered(html_to_markdown(html)).text_content().strip() == text


def test_empty_and_whitespace_only_input_gives_empty_markdown():
    for html in ["", "   ", "<!-- only a comment -->", "<p>&nbsp;</p>", "<script>x</script>"]:
        assert html_to_markdown(html) == ""


def test_plain_text_keeps_paragraphs_and_optionally_newlines():
    html = "<p>Hello <b>you</b></p><p>Second &amp; last<br>line</p>"
    assert html_to_plain_text(html) == "Hello you\n\nSecond & last\nline"
    assert html_to_plain_text("a\nb\n\nc", preserve_newlines=True) == "a\nb\n\nc"
    assert html_to_plain_text("a\nb") == "a b"
    assert html_to_plain_text("<script>alert(1)</script>x") == "x"


def test_plain_text_to_markdown_escapes_and_keeps_paragraphs():
    md = text_to_markdown("*not bold*\n\n1. not a list <script>")
    assert rendered(md).text_content().replace("\n", "") == "*not bold*1. not a list <script>"
    assert md.count("\n\n") == 1


# --- properties ----------------------------------------------------------------------------

HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "javascript:alert(1)",
    "JaVaScRiPt&#58;alert(1)",
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "<svg onload=alert(1)>",
    "` `` ```",
    "*_[]|#>-+1.!~",
    "<!--",
    "]]>",
    "\\",
    "&amp;",
    "\n\n",
    "java",
    "script",
    ":",
]
URLS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "http://ok.example/a?b=javascript:1",
    "https://ok.example/<script>",
    "//ok.example/x",
    "/relative",
    "mailto:a@b.example",
]
TAGS = (
    "p div span em strong b i a img ul ol li blockquote h1 h2 h4 table tr td th br hr "
    "script style iframe form nav svg figure figcaption video audio object q del dl dt dd"
).split()
CODE_TAGS = ["code", "pre", "kbd", "samp", "tt"]
ATTRS = st.lists(
    st.tuples(
        st.sampled_from(["href", "src", "onclick", "onerror", "style", "alt", "start"]),
        st.one_of(st.sampled_from(URLS), st.text(max_size=10)),
    ),
    max_size=3,
).map(lambda pairs: "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in pairs))


def html_documents(tags):
    text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=15))
    return st.recursive(
        text,
        lambda inner: st.builds(
            lambda tag, attrs, kids: f"<{tag}{attrs}>{''.join(kids)}</{tag}>",
            st.sampled_from(tags),
            ATTRS,
            st.lists(inner, max_size=4),
        ),
        max_leaves=25,
    )


CODE_TAG = re.compile(r"(?i)<\s*/?\s*(code|pre|kbd|samp|tt|xmp|plaintext|listing)\b")
# No example database: it would write a .hypothesis folder into the work tree.
PROPERTY = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY
@given(st.text())
def test_any_text_is_accepted(text):
    assert isinstance(html_to_markdown(text), str)
    assert isinstance(html_to_plain_text(text), str)


@PROPERTY
@given(html_documents(TAGS).filter(lambda html: not CODE_TAG.search(html)))
def test_markdown_never_contains_script_tags_or_javascript_urls(html):
    markdown = html_to_markdown(html)
    assert "<script" not in markdown.lower()
    assert "javascript:" not in markdown.lower()
    assert "vbscript:" not in markdown.lower()


# Even a Markdown renderer that passes raw HTML through (unlike Masthead's) gets nothing
# active from our output: the guarantee must not depend on who renders it.
_permissive = MarkdownIt("commonmark", {"html": True})


@PROPERTY
@given(html_documents(TAGS + CODE_TAGS))
def test_output_rendered_by_a_permissive_renderer_has_nothing_active(html):
    out = _permissive.render(html_to_markdown(html))
    if not out.strip():
        return
    doc = lxml.html.fragment_fromstring(out, create_parent="div")
    for el in doc.iter():
        assert el.tag not in ("script", "iframe", "object", "embed", "svg", "style", "form")
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on")
            if name in ("href", "src"):
                assert re.match(r"(?i)(https?:|mailto:|/|#)", value), value


WORDS = st.lists(st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True), min_size=1, max_size=6)
WRAPPERS = ["p", "em", "strong", "span", "li", "h3", "blockquote", "a", "td", "q"]


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(WRAPPERS), WORDS), min_size=1, max_size=6))
def test_visible_words_survive_in_order(parts):
    html = "".join(f"<{tag} href='https://ex.com/'>{' '.join(w)}</{tag}> " for tag, w in parts)
    words = [w for _, ws in parts for w in ws]
    text = rendered(html_to_markdown(html)).text_content()
    assert re.findall(r"[A-Za-z]+", text) == words
