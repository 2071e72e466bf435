"""`masthead import feed` and `masthead import html`: read a FILE_OR_URL, parse it, store it.

Owns where those imports' bytes come from and the short path from bytes to stored articles.
Public: `read_input(source, max_bytes, timeout, fetch)`, `import_feed(source, timeout)`,
`import_html_page(source, section=None, timeout)`.

- An argument starting with `http://` or `https://` is fetched by the source module's own
  fetcher (size limit, whole-request deadline, http(s)-only redirects); anything else is a
  local file, whose size is checked before it is read so a huge file is refused at once.
- Both imports go through `services.store_records`, so they are one transaction each and
  idempotent by the entry's GUID or link (feeds) or the page's canonical URL (pages).
- Feeds are held to XML's rules before feedparser sees them: a truncated, ill-formed or
  wrongly-encoded feed is refused with the parser's first error, where feedparser alone would
  quietly import the entries it could salvage (a partial import the user never sees).
  `lenient=True` (`--lenient`) accepts what feedparser salvages, as feed readers do. A feed
  declaring its own DTD entities is refused even then: no real feed needs an internal
  subset, and it is how entity-expansion ("billion laughs") and external-entity attacks begin.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from masthead.articles.models import Article, Section

from .records import ImportReport, RecordError
from .services import external_key, store_records
from .sources.feed import MAX_BYTES as FEED_MAX_BYTES
from .sources.feed import fetch_feed, parse_feed
from .sources.html import MAX_PAGE_BYTES, fetch_page, parse_html_page
from .wxr_store import check_size

DEFAULT_TIMEOUT = 10.0


def is_url(source: str) -> bool:
    return source.strip().lower().startswith(("http://", "https://"))


def read_input(
    source: str, max_bytes: int, timeout: float, fetch: Callable[..., bytes]
) -> tuple[bytes, str]:
    """The document's bytes and the URL it came from ("" for a local file)."""
    if is_url(source):
        return fetch(source.strip(), timeout=timeout, max_bytes=max_bytes), source.strip()
    path = Path(source)
    check_size(path, max_bytes)
    try:
        return path.read_bytes(), ""
    except OSError as exc:
        raise RecordError(f"cannot read {source}: {exc.strerror or exc}") from None


def import_feed(
    source: str, timeout: float = DEFAULT_TIMEOUT, lenient: bool = False
) -> ImportReport:
    """Every entry of an RSS, Atom or JSON Feed document as a published article."""
    data, url = read_input(source, FEED_MAX_BYTES, timeout, fetch_feed)
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):  # JSON Feed: json is strict
        check_xml(data, strict=not lenient)
    report = ImportReport()
    records = parse_feed(data, url, report)
    return store_records(records, report)


def import_html_page(
    source: str, section: Section | None = None, timeout: float = DEFAULT_TIMEOUT
) -> tuple[Article, bool]:
    """The article in one web page; returns it and whether it is new (False: already there)."""
    data, url = read_input(source, MAX_PAGE_BYTES, timeout, fetch_page)
    record = parse_html_page(data, url)
    # A fetched page without a canonical link is still recognised by the address it came from.
    record.key = record.key or url
    if record.key:
        existing = Article.objects.filter(external_key=external_key(record.key)).first()
        if existing is not None:
            return existing, False
    created: list[int] = []
    store_records([record], default_section=section, created_ids=created)
    return Article.objects.get(pk=created[0]), True


_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.I)


def check_xml(data: bytes, strict: bool = True) -> None:
    """Refuse DTD entity declarations always, and (when strict) anything not well-formed."""
    if _INTERNAL_SUBSET.search(_head_text(data)):
        raise RecordError(
            "refusing a feed that declares its own DTD entities (a <!DOCTYPE [...]> subset); "
            "feeds never need one and it is how XML entity attacks start"
        )
    if not strict:
        return
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = (exc.msg or str(exc)).split(", line ")[0].strip()
        where = f" (line {exc.lineno})" if exc.lineno else ""
        raise RecordError(
            f"not well-formed XML: {message}{where}; fix the feed, or pass --lenient to import "
            "what a feed reader would salvage"
        ) from None


def _head_text(data: bytes) -> str:
    """The start of the document as text, whatever its Unicode encoding."""
    head = data[:65536]
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                       (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, errors="ignore")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="ignore")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="ignore")
    return head.decode("latin-1")  # ASCII-compatible encodings all spell "<!DOCTYPE" alike
