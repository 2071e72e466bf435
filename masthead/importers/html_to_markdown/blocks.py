"""The tree walk that writes Markdown: blocks, inline markup, lists, tables, code.

Part of `importers.html_to_markdown`; public here is `html_to_markdown()`, re-exported by the
package. Every text node goes through `escape_markdown`, every URL through `safe_url`.
"""

from __future__ import annotations

import re

from .markup import (
    BLOCK_TAGS,
    CODE,
    CONTAINERS,
    DROP,
    EMPHASIS,
    HEADINGS,
    LISTS,
    MAX_DEPTH,
    STRIKE,
    STRONG,
    parse_html,
    tag_of,
)
from .text import (
    BR,
    EDGE,
    SPACES,
    SPAN_END,
    SPAN_START,
    escape_markdown,
    one_line,
    paragraphs,
    safe_url,
)


def html_to_markdown(html: str, base_url: str = "") -> str:
    """Convert an HTML fragment or page to Markdown; never raises on any string input.

    Relative links and images are resolved against `base_url` when it is given.
    """
    body = parse_html(html)
    if body is None:
        return ""
    out = _Out()
    _walk(body, out, _Ctx(base_url), 0)
    return out.result()


class _Ctx:
    """Where we are: the base URL and which inline wrappers are open (to avoid nesting)."""

    def __init__(self, base_url: str, open_: frozenset[str] = frozenset()):
        self.base_url = base_url
        self.open = open_

    def inside(self, name: str) -> _Ctx:
        return _Ctx(self.base_url, self.open | {name})


class _Out:
    """Blocks of finished Markdown (with their kind) plus the paragraph being built."""

    def __init__(self):
        self.blocks: list[str] = []
        self.kinds: list[str] = []  # "p", "list" or "other", parallel to blocks
        self.inline: list[str] = []

    def add_inline(self, text: str) -> None:
        if text:
            self.inline.append(text)

    def flush(self) -> None:
        if self.inline:
            for para in paragraphs("".join(self.inline)):
                self.blocks.append(para)
                self.kinds.append("p")
            self.inline = []

    def add_block(self, markdown: str, kind: str = "other") -> None:
        self.flush()
        if markdown.strip():
            self.blocks.append(markdown)
            self.kinds.append(kind)

    def result(self) -> str:
        self.flush()
        return "\n\n".join(self.blocks)

    def is_tight_item(self) -> bool:
        """One paragraph, optionally followed by nested lists: fits a tight list item."""
        self.flush()
        others = [i for i, kind in enumerate(self.kinds) if kind != "list"]
        return len(others) <= 1 and (not others or others[0] == 0)


def _walk(el, out: _Out, ctx: _Ctx, depth: int) -> None:
    """Render the children of `el` (block context) into `out`."""
    out.add_inline(escape_markdown(el.text or ""))
    for child in el:
        _block_node(child, out, ctx, depth + 1)
        out.add_inline(escape_markdown(child.tail or ""))


def _block_node(el, out: _Out, ctx: _Ctx, depth: int) -> None:
    tag = tag_of(el)
    if not tag or tag in DROP:
        return
    if depth > MAX_DEPTH:
        out.add_inline(" " + escape_markdown(el.text_content()) + " ")
    elif tag in HEADINGS:
        text = one_line(_inline_children(el, ctx, depth))
        if text:
            out.add_block("#" * HEADINGS[tag] + " " + re.sub(r"#$", r"\\#", text))
    elif tag in LISTS:
        out.add_block(_list(el, ctx, depth, ordered=tag == "ol"), kind="list")
    elif tag == "blockquote":
        inner = _Out()
        _walk(el, inner, ctx, depth)
        body = inner.result()
        out.add_block("\n".join("> " + line if line else ">" for line in body.split("\n")))
    elif tag == "pre":
        out.add_block(_code_block(el))
    elif tag == "table":
        _table(el, out, ctx, depth)
    elif tag == "hr":
        out.add_block("---")
    elif tag in ("figcaption", "dt"):
        text = one_line(_inline_children(el, ctx.inside("strong" if tag == "dt" else "em"), depth))
        if text:
            out.add_block(f"**{text}**" if tag == "dt" else f"*{text}*")
    elif tag in ("video", "audio"):
        link = _media_link(el, ctx)
        if link:
            out.add_block(link)
    elif tag in CONTAINERS or tag == "dl":
        out.flush()
        _walk(el, out, ctx, depth)
        out.flush()
    elif tag == "br":
        out.add_inline(BR)
    elif _has_block(el):
        _walk(el, out, ctx, depth)  # an inline wrapper around blocks: keep the blocks
    else:
        out.add_inline(_inline(el, ctx, depth))


def _has_block(el) -> bool:
    return any(tag_of(d) in BLOCK_TAGS for d in el.iterdescendants())


def _inline_children(el, ctx: _Ctx, depth: int) -> str:
    parts = [escape_markdown(el.text or "")]
    for child in el:
        parts.append(_inline(child, ctx, depth + 1))
        parts.append(escape_markdown(child.tail or ""))
    return "".join(parts)


def _split_edges(inner: str) -> tuple[str, str, str]:
    """(leading space, core, trailing space): markers must hug the text (CommonMark)."""
    core = inner.strip(EDGE)
    if not core:
        return inner, "", ""
    lead = inner[: len(inner) - len(inner.lstrip(EDGE))]
    return lead, core, inner[len(lead) + len(core) :]


def _wrap(inner: str, marker: str) -> str:
    lead, core, trail = _split_edges(inner)
    return f"{lead}{marker}{core}{marker}{trail}" if core else inner


def _inline(el, ctx: _Ctx, depth: int) -> str:
    tag = tag_of(el)
    if not tag or tag in DROP:
        return ""
    if depth > MAX_DEPTH:
        return escape_markdown(el.text_content())
    if tag == "br":
        return BR
    if tag == "img":
        return _image(el, ctx)
    if tag in CODE:
        return _code_span(el.text_content())
    for names, key, marker in (
        (EMPHASIS, "em", "*"),
        (STRONG, "strong", "**"),
        (STRIKE, "del", "~~"),
    ):
        if tag in names:
            inner = _inline_children(el, ctx.inside(key), depth)
            # Emphasis around nothing but an image would only leave stray asterisks.
            plain = key in ctx.open or not el.text_content().strip()
            return inner if plain else _wrap(inner, marker)
    if tag == "a":
        return _link(el, ctx, depth)
    if tag == "q":
        return '"' + _inline_children(el, ctx, depth) + '"'
    if tag in ("video", "audio"):
        return _media_link(el, ctx)
    inner = _inline_children(el, ctx, depth)
    return f" {inner} " if tag in BLOCK_TAGS else inner


def _link(el, ctx: _Ctx, depth: int) -> str:
    inner = _inline_children(el, ctx.inside("a"), depth)
    href = "" if "a" in ctx.open else safe_url(el.get("href"), ctx.base_url)
    lead, core, trail = _split_edges(inner)
    if not href or not core:
        return inner
    raw = (el.get("href") or "").strip()
    if raw.startswith(("http://", "https://")) and el.text_content().strip() == raw:
        return f"{lead}<{href}>{trail}"  # a bare URL reads best as an autolink
    return f"{lead}[{core}]({href}){trail}"


def _image(el, ctx: _Ctx) -> str:
    src = safe_url(el.get("src"), ctx.base_url, images=True)
    if not src:
        return ""
    alt = escape_markdown(SPACES.sub(" ", el.get("alt") or "").strip())
    return f"![{alt}]({src})"


def _media_link(el, ctx: _Ctx) -> str:
    sources = [el.get("src")] + [s.get("src") for s in el.iter("source")]
    for src in sources:
        url = safe_url(src, ctx.base_url, images=True)  # "images": http(s) only
        if url:
            return f"<{url}>"
    return ""


def _code_span(text: str) -> str:
    text = SPACES.sub(" ", text)
    if not text.strip():
        return ""
    fence = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    return f"{SPAN_START}{fence}{text}{fence}{SPAN_END}"


def _pre_text(el, parts: list[str]) -> None:
    parts.append(el.text or "")
    for child in el:
        if tag_of(child) == "br":
            parts.append("\n")
        elif tag_of(child) not in DROP:
            _pre_text(child, parts)
        parts.append(child.tail or "")


def _code_block(el) -> str:
    parts: list[str] = []
    _pre_text(el, parts)
    text = "".join(parts).replace("\r\n", "\n")
    text = text[1:] if text.startswith("\n") else text
    text = text.rstrip()
    if not text:
        return ""
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    classes = " ".join(filter(None, [el.get("class")] + [c.get("class") for c in el]))
    lang = re.search(r"(?:language|lang)-([A-Za-z0-9_+\-]{1,30})", classes or "")
    return f"{fence}{lang.group(1) if lang else ''}\n{text}\n{fence}"


def _list(el, ctx: _Ctx, depth: int, ordered: bool) -> str:
    start = 1
    if ordered and (el.get("start") or "").strip().isdecimal():
        start = min(int(el.get("start").strip()), 999_999_999)
    items: list[_Out] = []
    for child in el:
        sub = _Out()
        if tag_of(child) == "li":
            _walk(child, sub, ctx, depth + 1)
        else:  # stray markup directly inside the list still shows in browsers
            _block_node(child, sub, ctx, depth + 1)
            sub.add_inline(escape_markdown(child.tail or ""))
        sub.flush()
        if sub.blocks:
            items.append(sub)
    tight = all(item.is_tight_item() for item in items)
    rendered = []
    for n, item in enumerate(items, start):
        body = ("\n" if tight else "\n\n").join(item.blocks)
        marker = f"{min(n, 999_999_999)}." if ordered else "-"
        pad = " " * (len(marker) + 1)
        first, *rest = body.split("\n")
        rendered.append("\n".join([f"{marker} {first}"] + [pad + x if x else "" for x in rest]))
    return ("\n" if tight else "\n\n").join(rendered)


def _table(el, out: _Out, ctx: _Ctx, depth: int) -> None:
    rows = [r for r in el.iter("tr") if _nearest_table(r) is el]
    cells = [[c for c in r if tag_of(c) in ("td", "th")] for r in rows]
    # Layout tables (nested tables, block content in cells) do not fit a pipe table:
    # keep their content as ordinary blocks instead.
    blocky = any(
        tag_of(d) in BLOCK_TAGS - {"p"} for row in cells for c in row for d in c.iterdescendants()
    )
    if blocky or not any(cells):
        out.flush()
        _walk(el, out, ctx, depth)
        out.flush()
        return
    width = max(len(r) for r in cells)
    lines = []
    for i, row in enumerate(cells):
        texts = [one_line(_inline_children(c, ctx, depth)) for c in row]
        texts += [""] * (width - len(texts))
        lines.append("| " + " | ".join(texts) + " |")
        if i == 0:
            lines.append("|" + " --- |" * width)
    caption = el.find("caption")
    if caption is not None:
        text = one_line(_inline_children(caption, ctx, depth))
        if text:
            out.add_block(text)
    out.add_block("\n".join(lines))


def _nearest_table(el):
    parent = el.getparent()
    while parent is not None and tag_of(parent) != "table":
        parent = parent.getparent()
    return parent
