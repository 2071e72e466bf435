"""trafilatura's extracted XML → Markdown blocks, and Markdown → plain text.

Owns the one conversion between the extractor's neutral tree (`p`, `head`, `list`/`item`,
`quote`, `code`, `table`/`row`/`cell`, inline `hi`, `ref`, `lb`, `graphic`) and the Markdown
Masthead stores: paragraphs separated by blank lines, sub-headings as `##`/`###`, lists, quotes,
fenced code, GFM tables, `**bold**`/`*italic*`, and links only when they are http(s). No HTML
is ever emitted: text is escaped so that nothing in it reads as Markdown or markup syntax.
Each block keeps its plain text too, so `sources.html` can judge blocks without re-parsing.
`plain_text` undoes the Markdown for scoring against plain-text ground truth (bench, tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from ..html_to_markdown import escape_markdown, safe_url

_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLOCK_START_RE = re.compile(r"^(\s*)([#>+=|-]|\d{1,9}[.)](?=\s|$))")
HEADING_LEVEL = {"h1": 2, "h2": 2, "h3": 3}  # h1 inside the body is a sub-heading too
_BLOCK_CHILDREN = {"p", "head", "item", "quote", "list", "div", "table"}
_INLINE_TAGS = {"hi", "ref", "lb", "del"}
MAX_TABLE_CELL = 300  # a cell longer than this is page layout, not tabular data


@dataclass
class Block:
    kind: str  # paragraph | heading | list | quote | code | table
    markdown: str
    text: str  # the same content as plain text, one line per paragraph/item/row
    level: int = 0  # heading level (2-4)
    linked: int = 0  # characters of text inside links: a block that is all links is navigation


def to_blocks(body, base_url: str = "") -> list[Block]:
    """Convert trafilatura's `<body>` element into Markdown blocks.

    Images (`graphic`) are left out: the body carries text, the record its lead image.
    """
    converter = _Converter(base_url)
    converter.block(body)
    return [b for b in converter.blocks if b.text.strip()]


def paragraph_block(text: str) -> Block:
    """A paragraph of plain text (e.g. from JSON-LD), escaped like extracted text."""
    text = _flat(text)
    return Block("paragraph", _escape_block_start(_escape(text)), text)


class _Converter:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []

    # --- block level ---------------------------------------------------------------------------

    def block(self, el) -> None:
        tag = el.tag
        if tag == "head":
            text = _flat(self.plain(el))
            level = HEADING_LEVEL.get(el.get("rend", ""), 4)
            self.blocks.append(Block("heading", f"{'#' * level} {_escape(text)}", text, level))
        elif tag == "p" or tag == "item":
            md, text = self.inline(el), self.plain(el)
            if text.strip():
                self.blocks.append(Block("paragraph", _escape_lines(md), text, 0, self.linked(el)))
            for child in el:
                if child.tag == "list":  # a list inside a paragraph still deserves its lines
                    self.block(child)
        elif tag == "list":
            lines, texts = self.list_lines(el, "")
            self.blocks.append(
                Block("list", "\n".join(lines), "\n".join(texts), 0, self.linked(el))
            )
        elif tag == "quote":
            inner = _Converter(self.base_url)
            if any(child.tag in ("p", "list", "head", "quote", "code") for child in el):
                for child in el:
                    inner.block(child)
                if el.text and el.text.strip():
                    inner.blocks.insert(
                        0,
                        Block("paragraph", _escape_lines(_escape(_flat(el.text))), _flat(el.text)),
                    )
            else:
                inner.block_as_paragraph(el)
            md = "\n\n".join(b.markdown for b in inner.blocks if b.text.strip())
            text = "\n".join(b.text for b in inner.blocks if b.text.strip())
            quoted = "\n".join(f"> {line}" if line else ">" for line in md.split("\n"))
            self.blocks.append(Block("quote", quoted, text))
        elif tag == "code":
            code = "".join(_code_text(el)).strip("\n")
            fence = "`" * max(3, _longest_run(code, "`") + 1)
            self.blocks.append(Block("code", f"{fence}\n{code}\n{fence}", code))
        elif tag == "table":
            self.table(el)
        elif tag != "graphic":  # body, div and unknown containers (an image is no text)
            self.container(el)

    def container(self, el) -> None:
        """Block children in order; loose text and inline children between them form paragraphs."""
        run_md: list[str] = [_escape(_soft(el.text))]
        run_text: list[str] = [el.text or ""]
        linked = 0

        def flush() -> None:
            text = _flat("".join(run_text))
            if text:
                md = _escape_lines("".join(run_md))
                self.blocks.append(Block("paragraph", md, text, 0, linked))
            run_md.clear()
            run_text.clear()

        for child in el:
            if child.tag in _INLINE_TAGS:
                run_md.append(self.inline_child(child))
                run_text.append("\n" if child.tag == "lb" else self.plain(child))
                linked += len(_flat(self.plain(child))) if child.tag == "ref" else 0
            else:
                flush()
                linked = 0
                self.block(child)
            run_md.append(_escape(_soft(child.tail)))
            run_text.append(child.tail or "")
        flush()

    def block_as_paragraph(self, el) -> None:
        md, text = self.inline(el, with_tail=False), self.plain(el)
        if text.strip():
            self.blocks.append(Block("paragraph", _escape_lines(md), text))

    def list_lines(self, el, indent: str) -> tuple[list[str], list[str]]:
        ordered = el.get("rend") == "ol"
        lines: list[str] = []
        texts: list[str] = []
        number = 0
        for item in el:
            if item.tag != "item":
                continue
            nested = [child for child in item if child.tag == "list"]  # rendered below it
            md, text = _flat(self.inline(item, with_tail=False)), _flat(self.plain(item))
            if text:
                number += 1
                marker = f"{number}. " if ordered else "- "
                lines.append(indent + marker + _escape_block_start(md))
                texts.append(text)
            for child in nested:
                sub_lines, sub_texts = self.list_lines(child, indent + " " * (3 if ordered else 2))
                lines.extend(sub_lines)
                texts.extend(sub_texts)
        return lines, texts

    def table(self, el) -> None:
        rows = [[cell for cell in row if cell.tag == "cell"] for row in el if row.tag == "row"]
        rows = [row for row in rows if row]
        texts = [[_flat(self.plain(cell)) for cell in row] for row in rows]
        width = max((len(row) for row in rows), default=0)
        longest = max((len(t) for row in texts for t in row), default=0)
        if width < 2 or longest > MAX_TABLE_CELL:
            # a layout table: its cells are just containers of ordinary blocks
            for row in rows:
                for cell in row:
                    self.block(cell)
            return
        lines, plain = [], []
        for i, row in enumerate(rows):
            # escape_markdown already escaped any "|" in the text, so cells cannot split
            cells = [_flat(self.inline(cell, with_tail=False)) for cell in row]
            cells += [""] * (width - len(cells))
            lines.append("| " + " | ".join(cells) + " |")
            plain.append(" ".join(t for t in texts[i] if t))
            if i == 0:
                lines.append("|" + " --- |" * width)
        self.blocks.append(Block("table", "\n".join(lines), "\n".join(plain)))

    def linked(self, el) -> int:
        return sum(len(_flat(self.plain(ref))) for ref in el.iter("ref"))

    # --- inline --------------------------------------------------------------------------------

    def inline(self, el, with_tail: bool = False) -> str:
        """Markdown for the element's content (children included)."""
        parts = [_escape(_soft(el.text))]
        for child in el:
            if child.tag in _BLOCK_CHILDREN:  # a block inside inline content: keep words apart
                parts.append(" " + self.inline(child) + " " if child.tag != "list" else " ")
            else:
                parts.append(self.inline_child(child))
            parts.append(_escape(_soft(child.tail)))
        out = "".join(parts)
        return out + (_escape(_soft(el.tail)) if with_tail else "")

    def inline_child(self, el) -> str:
        tag = el.tag
        if tag == "lb":
            return "\n"
        if tag == "graphic":
            return ""
        inner = self.inline(el)
        if tag == "hi":
            rend = el.get("rend", "")
            if rend == "#t":
                code = _soft(self.plain(el))
                return _code_span(code) if code.strip() else code
            marker = {"#b": "**", "#i": "*"}.get(rend)
            if marker and el.getparent() is not None and el.getparent().tag != "hi":
                return _wrap(inner, marker)
            return inner
        if tag == "ref":
            target = _http(el.get("target"), self.base_url)
            label = inner.strip()
            if target and label and "](" not in label:
                lead = inner[: len(inner) - len(inner.lstrip())]
                trail = inner[len(inner.rstrip()) :]
                return f"{lead}[{label}]({target}){trail}"
            return inner
        if tag == "code":
            code = _soft(self.plain(el))
            return _code_span(code) if code.strip() else code
        return inner

    def plain(self, el) -> str:
        """The element's text as plain text; `lb` becomes a newline, images nothing."""
        parts = [el.text or ""]
        for child in el:
            if child.tag == "lb":
                parts.append("\n")
            elif child.tag == "list":
                parts.append(" ")
            elif child.tag in _BLOCK_CHILDREN:
                parts.append(" " + self.plain(child) + " ")
            elif child.tag != "graphic":
                parts.append(self.plain(child))
            parts.append(child.tail or "")
        return _SPACE_RE.sub(" ", "".join(parts)).strip(" ")


# --- helpers -----------------------------------------------------------------------------------


def _soft(text: str | None) -> str:
    return _SPACE_RE.sub(" ", (text or "").replace("\n", " "))


def _flat(text: str) -> str:
    return _SPACE_RE.sub(" ", text.replace("\n", " ")).strip()


def _escape(text: str) -> str:
    # the importers' one escaping policy (shared with WXR and feeds): nothing in page text
    # can turn into Markdown syntax or markup
    return escape_markdown(text)


def _escape_block_start(line: str) -> str:
    """Stop a line that happens to start with `#`, `-`, `1.` etc. from becoming block syntax."""
    return _BLOCK_START_RE.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1)


def _escape_lines(md: str) -> str:
    lines = [line.strip() for line in md.strip().split("\n")]
    return "\n".join(_escape_block_start(line) for line in lines if line)


def _wrap(inner: str, marker: str) -> str:
    # emphasis must hug its text in CommonMark: move surrounding spaces outside the markers
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def _code_span(code: str) -> str:
    ticks = "`" * (_longest_run(code, "`") + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _code_text(el):
    yield el.text or ""
    for child in el:
        yield "\n" if child.tag == "lb" else "".join(_code_text(child))
        yield child.tail or ""


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(r) for r in runs), default=0)


def _http(raw: str | None, base_url: str) -> str:
    """An absolute http(s) URL or "": a page's relative, mailto or script links do not travel."""
    url = safe_url((raw or "").strip(), base_url)
    return url if url.startswith(("http://", "https://")) else ""


# --- Markdown → plain text ---------------------------------------------------------------------

_reader = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def plain_text(markdown: str) -> str:
    """The text a reader sees, one line per paragraph, heading, list item or table row.

    Read back with the same Markdown parser family the site renders with, so escapes,
    entities, emphasis and link syntax all disappear exactly as they do on the page.
    """
    lines: list[str] = []
    row: list[str] | None = None
    for token in _reader.parse(markdown or ""):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            lines.append(" ".join(cell for cell in row if cell))
            row = None
        elif token.type == "inline":
            text = "".join(
                " "
                if child.type == "softbreak"
                else "\n"
                if child.type == "hardbreak"
                else child.content
                for child in token.children or []
                if child.type in {"text", "code_inline", "softbreak", "hardbreak"}
            ).strip()
            if row is not None:
                row.append(text)
            else:
                lines.append(text)
        elif token.type in {"fence", "code_block"}:
            lines.append(token.content.rstrip("\n"))
    return "\n".join(lines)
