"""WordPress post content → Markdown: blocks, shortcodes and wpautop-style text.

Owns what is peculiar to WordPress's stored `post_content` before the shared HTML conversion
(`importers.html_to_markdown`) runs. Public: `Attachment`, `wordpress_to_markdown()`.

WordPress does not store the HTML it shows. Three things happen on display that we redo here:
- Classic-editor text has no `<p>`: paragraphs are blank-line separated and single newlines
  become `<br>` (`wpautop`). Block-editor content (it contains `<!-- wp:` comments) already
  has its markup, and WordPress skips `wpautop` for it — so do we.
- Shortcodes expand: `[caption]` → a figure with its caption, `[gallery]` → the images of the
  attachments it names (or of the post), `[embed]`, `[video]`, `[audio]` and the WordPress.com
  embed shortcodes (`[youtube]`, …) → a link to the media. Unknown shortcodes lose their tags
  but keep any text they enclose; their names are returned so the import report lists them.
  Only a `[name]` with a closing tag, attributes or a known name counts as a shortcode, so
  editorial brackets such as "[sic]" survive; `[[name]]` is WordPress's escape for a literal.
- A line holding nothing but a URL is an oEmbed; it becomes a link.
Comments (block delimiters, `<!--more-->`, `<!--nextpage-->`) are dropped. The `<!--more-->`
teaser split is deliberately not turned into a standfirst: the teaser is the article's own
opening, and repeating it above the body would print it twice; the excerpt (when the author
wrote one) is the standfirst instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from masthead.importers.html_to_markdown import html_to_markdown


@dataclass(frozen=True)
class Attachment:
    """A media item from the export, as far as posts refer to it."""

    id: int
    url: str
    parent: int = 0
    alt: str = ""
    caption: str = ""
    title: str = ""


KNOWN = frozenset(
    "caption wp_caption gallery embed video audio youtube vimeo dailymotion soundcloud ted "
    "spotify".split()
)
MEDIA_ATTRS = ("src", "url", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "ogg", "wav", "m4a")
IMAGE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg|bmp|tiff?)(\?|#|$)", re.I)

_SHORTCODE = re.compile(
    r"\[(\[?)(/?)([A-Za-z][\w-]*)((?:[^\[\]\"']|\"[^\"]*\"|'[^']*')*?)(/?)\](\]?)"
)
_ATTR = re.compile(
    r"([\w-]+)\s*=\s*\"([^\"]*)\"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'\"]+)"
    r"|\"([^\"]*)\"|'([^']*)'|(\S+)"
)
_URL = re.compile(r"https?://[^\s<>\"'\]\[]+", re.I)
_URL_LINE = re.compile(r"(?im)^[ \t]*(https?://[^\s<>\"]+)[ \t]*$")
_CAPTIONED = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)

_AUTOP_BLOCKS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
    "map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|"
    "aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|script|iframe|"
    "video|audio|object|embed"
)
_OPEN_BLOCK = re.compile(rf"(?i)(<(?:{_AUTOP_BLOCKS})\b[^>]*>)")
_CLOSE_BLOCK = re.compile(rf"(?i)(</(?:{_AUTOP_BLOCKS})\s*>)")
_STARTS_BLOCK = re.compile(rf"(?i)^</?(?:{_AUTOP_BLOCKS})\b")
_PROTECT = re.compile(r"(?is)<(pre|script|style)\b.*?</\1\s*>")


def wordpress_to_markdown(
    content: str,
    *,
    base_url: str = "",
    attachments: Mapping[int, Attachment] | None = None,
    children: list[int] | None = None,
) -> tuple[str, list[str]]:
    """Convert stored post content to Markdown.

    `attachments` maps attachment ids to what `[gallery ids=…]` needs; `children` lists the
    attachment ids whose parent is this post (a bare `[gallery]`). Returns the Markdown and
    the names of unknown shortcodes that were dropped, in order of first appearance.
    """
    text = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    has_blocks = "<!-- wp:" in text
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = _URL_LINE.sub(lambda m: _link_html(m.group(1)), text)
    unknown: list[str] = []
    text = _expand(text, attachments or {}, children or [], unknown)
    if not has_blocks:
        text = autop(text)
    return html_to_markdown(text, base_url=base_url), unknown


def autop(text: str) -> str:
    """Blank-line-separated text → `<p>` paragraphs, single newlines → `<br>` (like wpautop)."""
    stash: list[str] = []

    def keep(m: re.Match) -> str:
        stash.append(m.group())
        return f"\n\n\x00{len(stash) - 1}\x00\n\n"

    text = _PROTECT.sub(keep, text)
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    out = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _STARTS_BLOCK.match(chunk) or chunk.startswith("\x00"):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", chunk) + "</p>")
    joined = "\n\n".join(out)
    return re.sub(r"\x00(\d+)\x00", lambda m: stash[int(m.group(1))], joined)


# --- shortcodes ----------------------------------------------------------------------------


def _expand(text: str, attachments, children, unknown: list[str], depth: int = 0) -> str:
    out: list[str] = []
    pos = 0
    while (m := _SHORTCODE.search(text, pos)) is not None:
        out.append(text[pos : m.start()])
        extra_open, closing, name, attr_text, self_closing, extra_close = m.groups()
        pos = m.end()
        if extra_open and extra_close:  # [[name]] is the escape for a literal [name]
            out.append(m.group()[1:-1])
            continue
        known = name.lower() in KNOWN
        content = None
        if not closing and not self_closing:
            close = re.compile(rf"\[/{re.escape(name)}\]").search(text, m.end())
            if close is not None:
                content, pos = text[m.end() : close.start()], close.end()
        looks_like = known or closing or self_closing or content is not None or "=" in attr_text
        if not looks_like:
            out.append(m.group())  # "[sic]", "[citation needed]": ordinary text
            continue
        out.append(extra_open)
        if not closing:  # a stray closing tag is simply dropped
            if content is not None and depth < 20:
                content = _expand(content, attachments, children, unknown, depth + 1)
            out.append(_render(name.lower(), attr_text, content, attachments, children, unknown))
        out.append(extra_close)
    out.append(text[pos:])
    return "".join(out)


def _attrs(attr_text: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    text = attr_text.strip()
    if text.startswith("="):  # WordPress.com style: [youtube=https://…]
        attrs["0"] = text[1:].strip()
        return attrs
    positional = 0
    for m in _ATTR.finditer(text):
        key = m.group(1) or m.group(3) or m.group(5)
        if key:
            values = (m.group(2), m.group(4), m.group(6))
            attrs[key.lower()] = next(v for v in values if v is not None)
        else:
            attrs[str(positional)] = next(g for g in m.groups()[6:] if g is not None)
            positional += 1
    return attrs


def _render(name, attr_text, content, attachments, children, unknown) -> str:
    attrs = _attrs(attr_text)
    if name in ("caption", "wp_caption"):
        return _caption(attrs, content or "")
    if name == "gallery":
        return _gallery(attrs, attachments, children)
    if name in KNOWN:  # embeds, video, audio and the WordPress.com embed shortcodes
        candidates = [attrs.get(a, "") for a in MEDIA_ATTRS] + list(attrs.values())
        candidates.append(html.unescape(content or ""))
        for value in candidates:
            m = _URL.search(value or "")
            if m:
                return _link_html(m.group())
        return ""
    if name not in unknown:
        unknown.append(name)
    return content or ""


def _caption(attrs: dict[str, str], content: str) -> str:
    m = _CAPTIONED.match(content)
    if not m:
        return content
    media, caption = m.group(1), (attrs.get("caption") or m.group(2)).strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{media}{figcaption}</figure>"


def _gallery(attrs: dict[str, str], attachments, children) -> str:
    listed = attrs.get("ids") or attrs.get("include") or ""
    ids = [int(x) for x in re.findall(r"\d+", listed)] if listed else list(children)
    excluded = {int(x) for x in re.findall(r"\d+", attrs.get("exclude", ""))}
    figures = []
    for attachment_id in ids:
        item = attachments.get(attachment_id)
        if item is None or attachment_id in excluded or not IMAGE_EXT.search(item.url):
            continue
        img = f'<img src="{html.escape(item.url)}" alt="{html.escape(item.alt)}">'
        caption = f"<figcaption>{html.escape(item.caption)}</figcaption>" if item.caption else ""
        figures.append(f"<figure>{img}{caption}</figure>")
    return "\n".join(figures)


def _link_html(url: str) -> str:
    url = html.escape(html.unescape(url))
    return f'<p><a href="{url}">{url}</a></p>'
