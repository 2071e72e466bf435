"""Markdown → safe HTML, rendered once on write (STYLE habit 10).

markdown-it-py parses CommonMark (+ tables, strikethrough); nh3 (ammonia) then keeps only an
allow-list of tags and attributes, so stored HTML is safe whatever the author typed. Headings
are shifted so the body never competes with the page's single `<h1>`: `#` and `##` both become
`<h2>`, deeper levels follow. Each `<h2>` gets an id so sub-headings can be linked to.
"""

from __future__ import annotations

import re
from html import unescape

import nh3
from django.utils.text import slugify
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "del", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "small", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "srcset", "sizes"},
    "h2": {"id"},
    "h3": {"id"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# `typographer` with its `replacements` and `smartquotes` rules: curly quotes, en/em dashes and
# ellipses in the rendered body (the stored Markdown keeps what was typed; core/typography.py
# says why). Quotes inside code spans and blocks are left alone by markdown-it.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable(
    ["table", "strikethrough", "replacements", "smartquotes"]
)


def _shift_headings(tokens) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            token.tag = f"h{min(6, max(2, level))}"


def _anchor_headings(tokens) -> None:
    used: set[str] = set()
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            inline = tokens[i + 1]
            base = slugify(inline.content)[:60] or "section"
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            token.attrSet("id", anchor)


def render_markdown(text: str) -> str:
    """Render author Markdown to sanitised HTML (raw HTML in the source is escaped, not kept)."""
    plain = _render_plain(text or "")
    if plain is not None:
        return sanitise_html(plain)
    tokens = _md.parse(text or "")
    _shift_headings(tokens)
    _anchor_headings(tokens)
    html = _md.renderer.render(tokens, _md.options, {})
    return sanitise_html(html)


# Text in which no Markdown construct, typographer replacement or smart quote can begin: a line
# that starts with a letter and holds only letters, digits, single-purpose punctuation and
# spaces (none at either end: two trailing spaces are a line break). `_REPLACED` are the
# typographer's sequences ("..", ",,", "!!!!", "????", "?.."), left to markdown-it.
_PLAIN_LINE = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;:?!]*(?<! )\Z")
_PLAIN_HEADING = re.compile(r"(#{1,3}) ([A-Za-z][A-Za-z0-9 ,.;:?!]*(?<! ))\Z")
_REPLACED = re.compile(r"[.,?!]{2}")


def _render_plain(text: str) -> str | None:
    """markdown-it's exact output for a body of plain paragraphs and `#`..`###` headings, or
    None when the body holds anything else. Importing a million articles rendered each one
    through the full parser (~0.6 ms); most archive bodies are just this (issue 20). Proven
    equal to the parser's output by masthead/core/tests/test_plain_markdown.py."""
    if _REPLACED.search(text):
        return None
    out: list[str] = []
    paragraph: list[str] = []
    used: set[str] = set()
    for line in text.split("\n"):
        if not line:
            if paragraph:
                out.append("<p>" + "\n".join(paragraph) + "</p>\n")
                paragraph = []
            continue
        if _PLAIN_LINE.match(line):
            paragraph.append(line)
            continue
        heading = _PLAIN_HEADING.match(line)
        if heading is None:
            return None
        if paragraph:
            out.append("<p>" + "\n".join(paragraph) + "</p>\n")
            paragraph = []
        level, content = len(heading.group(1)), heading.group(2)
        tag = f"h{max(2, level)}"
        base = slugify(content)[:60] or "section"
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        out.append(f'<{tag} id="{anchor}">{content}</{tag}>\n')
    if paragraph:
        out.append("<p>" + "\n".join(paragraph) + "</p>\n")
    return "".join(out)


def sanitise_html(html: str) -> str:
    """Keep only allow-listed markup; links get rel=noopener and no scripts survive."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )


# Block-level tags separate words; inline tags (<strong>, <a>...) must not split "**noon**."
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|h[1-6]|li|ul|ol|blockquote|pre|tr|td|th|table|thead|tbody|figure|figcaption"
    r"|hr|br|div|caption)\b[^>]*>", re.IGNORECASE,
)
_TAG_RE = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    """Visible text of trusted (already sanitised) HTML, for word counts and snippets."""
    text = _TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", html or ""))
    # `split()` and the regex `\s` both take `str.isspace` characters as white space, so this
    # is `re.sub(r"\s+", " ", ...).strip()`, at a third of the CPU: the substitution was 70 %
    # of reading articles for a related-lists rebuild (issue 20, item 4).
    return " ".join(unescape(text).split())


def html_text_opening(html: str, length: int) -> str:
    """A start of `html_to_text(html)` longer than `length` characters, or all of it.

    For a snippet of an article's opening (the page's description) without converting the
    whole body on every page view. The HTML is cut just after a `>`: every tag and entity
    before the cut is whole, and the substitutions above work left to right, so the text of
    that part is the start of the whole text (up to trailing white space, which is stripped).
    """
    html = html or ""
    end = 4 * (length + 1)
    while end < len(html):
        cut = html.rfind(">", 0, end) + 1
        if cut:
            text = html_to_text(html[:cut])
            if len(text) > length:
                return text
        end *= 2
    return html_to_text(html)


def esc(text: str) -> str:
    """`markupsafe.escape` as a plain str: the bytes of Jinja2's autoescape (`&#34;`, `&#39;`
    for quotes) without building a `Markup` (~0.5 µs), for markup built in Python on the
    reader pages (comments/listing.py, recommendations/blocks.py)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))
