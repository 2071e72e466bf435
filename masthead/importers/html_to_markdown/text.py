"""The Markdown side: escaping text, vetting URLs, finishing paragraphs; and plain text.

Part of `importers.html_to_markdown` (see its docstring for the safety promises these keep).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from .markup import BAD_CHARS, BLOCK_TAGS, DROP, MAX_DEPTH, parse_html, tag_of

# Markers inside an inline run; these control characters are stripped from input.
BR = "\x00"  # a hard line break
SPAN_START, SPAN_END = "\x01", "\x02"  # around a code span, whose text must stay literal
EDGE = " \t\n\r\f" + BR

_SPECIAL = re.compile(r"([\\`*\[\]|~])")
_LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_SCRIPT_COLON = re.compile(r"(?i)(script)(\s*):")
_NEEDS_ESCAPE = re.compile(r"[\\`*\[\]|~_&<:]")
SPACES = re.compile(r"[ \t\n\r\f]+")
SPAN = re.compile(f"{SPAN_START}(.*?){SPAN_END}", re.S)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_UNSAFE = re.compile(r"[\s<>()\"'`\\\x00-\x1f\x7f]")


def html_to_plain_text(html: str, preserve_newlines: bool = False) -> str:
    """Visible text of untrusted HTML: tags gone, entities decoded, paragraphs kept.

    With `preserve_newlines`, line breaks in the text itself count (WordPress comments and
    excerpts are stored that way and only turned into `<p>`/`<br>` when displayed).
    """
    if "<" not in html and "&" not in html:  # the common case (titles, names): no markup
        html = BAD_CHARS.sub("", html)
        if preserve_newlines:
            lines = [" ".join(line.split()) for line in html.replace("\r", "").split("\n")]
            return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
        return " ".join(html.split())
    body = parse_html(html)
    if body is None:
        return ""
    parts: list[str] = []
    _plain(body, parts, preserve_newlines, 0)
    text = "".join(parts).replace(BR, "\n")
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_to_markdown(text: str) -> str:
    """Plain text → Markdown showing the same text: blank lines separate paragraphs."""
    text = BAD_CHARS.sub("", text or "").replace("\r\n", "\n")
    return "\n\n".join(paragraphs(re.sub(r"\n\s*\n", BR + BR, escape_markdown(text))))


def escape_markdown(text: str) -> str:
    """Escape plain text so that Markdown shows it literally (and safely)."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = _SPECIAL.sub(r"\\\1", text)
    text = _LONE_UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = text.replace("<", "&lt;")
    return _SCRIPT_COLON.sub(r"\1\2&#58;", text)


def safe_url(raw: str | None, base_url: str = "", images: bool = False) -> str:
    """The URL made absolute and Markdown-ready, or "" when its scheme is not allowed.

    Links may be http(s), mailto, or site-relative (`/path`, `#anchor`); images only http(s).
    """
    if not raw:
        return ""
    # Browsers ignore tabs and newlines anywhere in a URL, so "java\tscript:" is a scheme.
    url = re.sub(r"[\t\n\r]", "", raw).strip(" \x00\x0b\x0c")
    url = BAD_CHARS.sub("", url)
    if not url:
        return ""
    try:
        if base_url and not url.startswith("#"):  # an in-page anchor stays in the page
            url = urljoin(base_url, url)
        elif url.startswith("//"):
            url = "https:" + url
    except ValueError:  # e.g. an invalid IPv6 host
        return ""
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme in ("http", "https") or (scheme == "mailto" and not images):
        pass
    elif scheme or images or not url.startswith(("/", "#")):
        return ""
    url = _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)
    return re.sub(r"(?i)(script):", r"\1%3A", url)


_LINE_START = re.compile(r"^(#{1,6}(?=\s|$)|[-+>](?=\s|$)|>|[-=]+\s*$)")
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_RISKY_STARTS = frozenset("#-+>=0123456789")


def defang(text: str) -> str:
    """Escape `script:` that only appears once escaped pieces are joined ("javascript" then a
    dropped element then ":"), leaving code spans (between SPAN_START/SPAN_END) literal."""
    if ":" not in text:
        return text.replace(SPAN_START, "").replace(SPAN_END, "")
    out, pos = [], 0
    for m in SPAN.finditer(text):
        out += [_SCRIPT_COLON.sub(r"\1\2&#58;", text[pos : m.start()]), m.group(1)]
        pos = m.end()
    out.append(_SCRIPT_COLON.sub(r"\1\2&#58;", text[pos:]))
    return "".join(out)


def paragraphs(text: str) -> list[str]:
    """Finish an inline run: collapse whitespace, turn breaks into hard breaks, and escape
    what would otherwise start a heading, list, quote or setext underline."""
    lines = [SPACES.sub(" ", line).strip() for line in defang(text).split(BR)]
    paras, current = [], []
    for line in lines + [""]:
        if line:
            if line[0] in _RISKY_STARTS:
                line = _ORDERED_START.sub(r"\1\\\2", _LINE_START.sub(r"\\\1", line))
            current.append(line)
        elif current:  # two breaks in a row (or the end) close the paragraph
            paras.append("\\\n".join(current))
            current = []
    return paras


def one_line(text: str) -> str:
    """An inline run as one line (headings, table cells, captions)."""
    return SPACES.sub(" ", defang(text).replace(BR, " ")).strip()


# --- plain text ----------------------------------------------------------------------------


def _plain(el, parts: list[str], keep_newlines: bool, depth: int) -> None:
    def text(s: str | None) -> str:
        s = s or ""
        return s if keep_newlines else SPACES.sub(" ", s)

    parts.append(text(el.text))
    for child in el:
        tag = tag_of(child)
        if tag == "br":
            parts.append(BR)
        elif tag and tag not in DROP and depth < MAX_DEPTH:
            block = tag in BLOCK_TAGS
            parts.append("\n\n" if block else "")
            _plain(child, parts, keep_newlines, depth + 1)
            parts.append("\n\n" if block else "")
        parts.append(text(child.tail))
