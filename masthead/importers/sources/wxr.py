"""WordPress export files (WXR 1.0, 1.1, 1.2) → neutral import records, streamed.

Owns reading a WordPress eXtended RSS file safely and in bounded memory. Public:
`parse_wxr(path, tz=UTC) -> WxrExport` with `.site` (`WxrSite`), `.authors`
(`AuthorRecord`s), `.articles()` (a generator of `ArticleRecord`s) and `.report`
(`ImportReport`: every skipped item, comment and shortcode, with its reason).

How it reads:
- Two streaming passes with `lxml.etree.iterparse`, clearing each channel child once read, so
  a 500 MB export needs memory for one item at a time. `parse_wxr` runs the first pass at once:
  it checks the whole file is well-formed, finds the version and namespace, the site and its
  authors, and remembers each attachment's URL, parent, alt text and caption (posts refer to
  attachments that may come later in the file: featured images, galleries). A broken file is
  therefore refused before any record is produced. `articles()` is the second pass.
- Safety: a document type declaration is refused outright (WordPress never writes one, and it
  is how billion-laughs and external-entity attacks start), entities are never resolved,
  nothing is fetched from the network, and libxml2's size limits stay on (a single text field
  over 10 MB is refused with a clear message rather than parsed without limits).
- Version: `<wp:wxr_version>` must be present, before the first item, and read `1.x`; its
  element's namespace (`http://` or `https://wordpress.org/export/1.x/`) is *the* WordPress
  namespace for the rest of the file. Elements that redeclare the `wp:` prefix to any other
  URI (even another WXR version) are not WordPress data and are ignored.
- Not well-formed files are refused, including `crazy-cdata.xml` (CDATA nested in CDATA):
  WordPress's importer guesses its way through such files with a lenient parser; guessing at
  the structure of a broken file could silently import the wrong text, so Masthead asks for a
  fresh export instead.

Keys: `wp:<site>:<post id>` where `<site>` is the blog's host and path (`wptest.io/demo`), so
that exports of two different WordPress sites never collide, while re-importing the same
site's export (even after it moved from http to https or dropped `www.`) finds the same
records; `wp:<post id>` when the export names no site. Comment keys are WordPress comment ids,
unique within the export. See `wxr_items.py` for how each item's fields are read.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree

from masthead.importers.records import ArticleRecord, AuthorRecord, ImportReport, RecordError
from masthead.importers.sources import wxr_items, wxr_memory
from masthead.importers.sources.wxr_items import ItemContext

WXR_NS = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
KNOWN_VERSIONS = ("1.0", "1.1", "1.2")


@dataclass
class WxrSite:
    title: str = ""
    url: str = ""  # the blog's address (base_blog_url, else the channel link)
    base_site_url: str = ""  # the network's address on multisite/WordPress.com installs
    language: str = ""
    description: str = ""
    wxr_version: str = ""


class WxrExport:
    """A checked export: site facts and authors now, articles streamed on demand."""

    def __init__(self, path: Path, site: WxrSite, authors: list[AuthorRecord], ctx: ItemContext,
                 posts: int = 0):
        self.path = path
        self.site = site
        self.authors = authors
        self.report = ImportReport()
        self.posts = posts  # post and page items in the file (at most what articles() yields)
        self._ctx = ctx

    def close(self) -> None:
        """Drop what the first pass remembered (its media index's file) now, not at collection."""
        close = getattr(self._ctx.attachments, "close", None)
        if close is not None:
            close()

    def articles(self) -> Iterator[ArticleRecord]:
        """Posts and pages in file order. Each call re-reads the file and starts a new report."""
        self.report = report = ImportReport()
        ctx = self._ctx
        ctx.seen_ids = wxr_memory.PostIds()
        ctx.unknown_shortcodes = {}
        _refuse_doctype(self.path, _head(self.path))  # again: the file may have been replaced
        for el in _channel_children(self.path, ITEM_TAGS):
            if el.tag == "item":
                record = wxr_items.read_item(el, ctx, report)
                if record is not None:
                    yield record
        for name, (posts, ids) in ctx.unknown_shortcodes.items():
            shown = ", ".join(str(i) for i in ids) + (" …" if posts > len(ids) else "")
            report.skip(
                f"shortcode [{name}] in {posts} post(s) ({shown})",
                "unknown shortcode: its tags were dropped, any text it enclosed was kept",
                whole=False,
            )


def parse_wxr(path: str | Path, tz: dt.tzinfo | str = dt.UTC) -> WxrExport:
    """Check a WordPress export and read its header; raises RecordError with one clear line."""
    path = Path(path)
    zone = _zone(tz)
    head = _head(path)
    _refuse_doctype(path, head)
    _refuse_other_root(path, head)
    scan = _Scan(path.name)
    try:
        for el in _channel_children(path):
            scan.feed(el)
        scan.media.finish()
        if scan.wp is None:
            raise RecordError(
                f"{path.name}: no <wp:wxr_version> element; this is not a WordPress export file"
            )
    except BaseException:
        scan.media.close()  # a refused file leaves no scratch file behind
        raise
    site = scan.site
    site.url = site.url or scan.link or site.base_site_url
    authors = [a for ns, a in scan.authors if ns == scan.wp]
    ctx = ItemContext(
        wp=scan.wp,
        tz=zone,
        site_url=site.url,
        key_prefix=_site_key(site.url),
        authors={a.login: a.name for a in authors},
        attachments=scan.media,
        children=scan.media.children,
    )
    return WxrExport(path, site, authors, ctx, posts=scan.posts)


class _Scan:
    """First pass: everything the second pass needs to know in advance."""

    def __init__(self, filename: str):
        self.filename = filename
        self.wp: str | None = None
        self.site = WxrSite()
        self.link = ""
        self.authors: list[tuple[str, AuthorRecord]] = []
        self.media = wxr_memory.MediaIndex()
        self.ctx: ItemContext | None = None
        self.posts = 0  # the total of the import's progress bar

    def feed(self, el) -> None:
        ns, _, local = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
        if not ns and local == "item":
            self.item(el)
            return
        value = wxr_items.joined_text(el).strip()
        if not ns and local in ("title", "description", "language", "link"):
            if local == "link":
                self.link = value
            else:
                setattr(self.site, local, value)
        elif local == "wxr_version" and WXR_NS.match(ns) and self.wp is None:
            if not re.fullmatch(r"1\.\d+", value):
                raise RecordError(
                    f"{self.filename}: unsupported WXR version '{value[:20]}' "
                    f"(Masthead reads {', '.join(KNOWN_VERSIONS)})"
                )
            self.wp, self.site.wxr_version = ns, value
        elif local == "author" and WXR_NS.match(ns):
            self.authors.append((ns, _author(el, ns)))
        elif ns == self.wp and local in ("base_site_url", "base_blog_url"):
            field = "url" if local == "base_blog_url" else "base_site_url"
            setattr(self.site, field, value)

    def item(self, el) -> None:
        if self.wp is None:
            raise RecordError(
                f"{self.filename}: items before <wp:wxr_version>; "
                "this is not a WordPress export file"
            )
        if self.ctx is None:
            self.ctx = ItemContext(wp=self.wp, tz=dt.UTC)
        if wxr_items.text(el, self.ctx.q("post_type")).strip() in wxr_items.KINDS:
            self.posts += 1
        attachment = wxr_items.read_attachment(el, self.ctx)
        if attachment is not None:
            self.media.add(attachment)


def _author(el, ns: str) -> AuthorRecord:
    def field(name: str) -> str:
        return wxr_items.text(el, f"{{{ns}}}{name}").strip()

    login = field("author_login")
    full = " ".join(filter(None, [field("author_first_name"), field("author_last_name")]))
    return AuthorRecord(
        name=field("author_display_name") or full or login,
        login=login,
        email=field("author_email"),
    )


# What each pass needs libxml2 to report (an element's end; `{*}` is any namespace, a bare
# name no namespace): `_Scan.feed` reads the channel's own fields and every item, the second
# pass items only, and both `rss` to know the file was read to its end.
HEADER_TAGS = ("rss", "item", "title", "description", "language", "link", "{*}wxr_version",
               "{*}author", "{*}base_site_url", "{*}base_blog_url")
ITEM_TAGS = ("rss", "item")


def _channel_children(path: Path, tags: tuple[str, ...] = HEADER_TAGS
                      ) -> Iterator[etree._Element]:
    """Yield each child of `<rss><channel>` named in `tags` once complete, then free it and
    the siblings before it. libxml2 reports only those elements' ends: following every
    element's start and end in Python took a tenth of the reading process's time, and the
    first pass, which nothing runs beside, took 9.6 s instead of 7.5 at 100k posts (6.0 of
    it libxml2's parse)."""
    finished, checked = False, False
    try:
        context = etree.iterparse(
            str(path),
            events=("end",),
            tag=tags,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        for _event, el in context:
            parent = el.getparent()
            if parent is None:  # </rss>
                _check_root(el, path)
                finished = checked = True
                continue
            if not checked:  # the first element reported: the root is known from here on
                _check_root(parent.getroottree().getroot(), path)
                checked = True
            grand = parent.getparent()
            if parent.tag != "channel" or grand is None or grand.getparent() is not None:
                continue  # an item's own title or link, or one outside <rss><channel>
            yield el
            el.clear()
            while el.getprevious() is not None:  # drop the cleared siblings too
                del parent[0]
        if not checked and context.root is not None:  # nothing reported: not an export
            _check_root(context.root, path)
    except etree.XMLSyntaxError as exc:
        # libxml2 reports a namespace URI that is not a valid URI (e.g. non-ASCII, as in
        # namespace-edge-cases.xml) as an error, but only once the whole well-formed document
        # has been read; such a namespace is never WordPress's, so the file is fine to use.
        # (lxml's log can still hold entries of earlier parses: look at this file's only.)
        ours = [e for e in exc.error_log if e.filename == str(path)]
        if finished and ours and all(e.type_name.startswith("WAR_NS") for e in ours):
            return
        raise RecordError(f"{path.name} is not well-formed XML: {_syntax(exc)}") from None
    except OSError as exc:
        raise RecordError(f"cannot read {path}: {exc.strerror or exc}") from None


def _check_root(el, path: Path) -> None:
    if el.getroottree().docinfo.doctype:  # second line of defence after _refuse_doctype
        raise _doctype_error(path)
    if el.tag != "rss":
        raise _other_root_error(path, el.tag)


def _refuse_other_root(path: Path, head: bytes) -> None:
    """Refuse a document whose root is not `<rss>` from its head: the first pass has libxml2
    report only a few elements' ends, so a big XML file holding none of them would otherwise
    be read to its end before `_check_root` saw its root."""
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True,
                                 load_dtd=False)
    try:
        parser.feed(head)
    except etree.XMLSyntaxError:
        return  # the whole parse reports it, with its line
    for _event, el in parser.read_events():
        if el.tag != "rss":
            raise _other_root_error(path, el.tag)
        return


def _other_root_error(path: Path, tag: str) -> RecordError:
    return RecordError(f"{path.name}: not a WordPress export (it is <{tag}>, not <rss>)")


def _syntax(exc: etree.XMLSyntaxError) -> str:
    message = (exc.msg or str(exc)).split(", line ")[0].strip()
    if any(word in message.lower() for word in ("huge", "too long", "too big")):
        message = "a single text field is over 10 MB, which Masthead refuses to read"
    return f"{message} (line {exc.lineno})" if exc.lineno else message


def _head(path: Path) -> bytes:
    """The file's first 64 KB, which the checks before any parse read."""
    try:
        with path.open("rb") as handle:
            return handle.read(65536)
    except OSError as exc:
        raise RecordError(f"cannot read {path}: {exc.strerror or exc}") from None


def _refuse_doctype(path: Path, head: bytes) -> None:
    """Refuse a DOCTYPE in the prolog, before libxml2 sees any entity declaration."""
    text = _decode_head(head)
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            raise _doctype_error(path)
        else:
            return
        if end < 0:
            return
        pos = end + 2 if text[end] == "?" else end + 3


def _decode_head(head: bytes) -> str:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF8, "utf-8"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="ignore")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="ignore")
    return head.decode("latin-1")  # every ASCII-compatible encoding reads "<!DOCTYPE" alike


def _doctype_error(path: Path) -> RecordError:
    return RecordError(
        f"{path.name}: refusing a file with a <!DOCTYPE> declaration (WordPress exports have "
        "none, and entity declarations can be used to attack the importer)"
    )


def _zone(tz: dt.tzinfo | str) -> dt.tzinfo:
    if isinstance(tz, dt.tzinfo):
        return tz
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise RecordError(f"unknown time zone '{tz}'") from None


def _site_key(url: str) -> str:
    """`https://www.Example.com/blog/` → `example.com/blog` (stable across http/https, www)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = parts.netloc.lower().rsplit("@", 1)[-1]
    host = host[4:] if host.startswith("www.") else host
    return f"{host}{parts.path.rstrip('/')}" if host else ""
