"""The HTML side of the conversion: which elements mean what, and a safe parser.

Part of `importers.html_to_markdown`; the tag sets here are the allow-list that package
documents. `parse_html` never fetches anything and never raises on any string input.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

# Dropped with their content: active content, page chrome, form controls, metadata.
DROP = frozenset(
    "script style noscript template iframe frame frameset noframes object embed applet param "
    "form input button select option optgroup textarea datalist output fieldset "
    "nav head title meta link base svg math canvas map area dialog source track".split()
)
HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
LISTS = frozenset({"ul", "ol", "menu", "dir"})
CONTAINERS = frozenset(
    "p div section article main header footer aside address center details summary body "
    "html hgroup dd li td th tr tbody thead tfoot caption figure".split()
)
BLOCK_TAGS = (
    frozenset(HEADINGS)
    | LISTS
    | CONTAINERS
    | {"blockquote", "pre", "table", "hr", "figcaption", "dl", "dt", "video", "audio"}
)
EMPHASIS = frozenset({"em", "i", "cite", "dfn", "var"})
STRONG = frozenset({"strong", "b"})
STRIKE = frozenset({"s", "strike", "del"})
CODE = frozenset({"code", "kbd", "samp", "tt"})

MAX_DEPTH = 80  # beyond this, nesting is flattened to text (recursion stays well bounded)
# Control characters lxml refuses (and surrogates, which cannot be encoded); the Markdown
# writer uses some of them as in-band markers, so they must never come from the input.
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def parse_html(html: str):
    """The `<body>` (or root) of the parsed document, or None when there is nothing."""
    cleaned = BAD_CHARS.sub("", html or "")
    if not cleaned.strip():
        return None
    # A fresh parser per call: lxml parsers are not safe to share between threads.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
    )
    try:
        root = etree.fromstring(cleaned.encode("utf-8"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    body = root.find("body")
    return body if body is not None else root


def tag_of(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""
