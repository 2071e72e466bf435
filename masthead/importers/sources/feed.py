"""RSS (0.9x, 1.0, 2.0), Atom and JSON Feed → neutral import records, via feedparser.

Owns turning a feed document into `ArticleRecord`s and fetching a feed over HTTP. Public:
`parse_feed(data, url="", report=None) -> list[ArticleRecord]` and
`fetch_feed(url, timeout=10, max_bytes=20 MB) -> bytes`.

- feedparser reads every XML dialect (JSON Feed: `feed_json.py`) and already sanitises entry
  HTML; the text then goes through `html_to_markdown`, Masthead's own allow-list, so a feed's
  script, iframe, event handler or `javascript:` link cannot reach an article whichever
  sanitiser fails.
- key: the entry's id (Atom `id`, RSS `guid`), else its link; "" when it has neither (such an
  entry is imported again on every run — the feed gives nothing stable to recognise it by).
- body: full content (`content:encoded`, Atom `content`) rather than the summary; the summary
  becomes the standfirst when it is not just the start of the full text.
- authors: names only. RSS puts e-mail addresses in `<author>`; an address is never used as a
  byline. In Atom, a feed-level author is every entry's author unless it names its own.
- dates: published, else updated (Atom requires only `updated`); categories → tags; the first
  image enclosure (or Media RSS image) → lead image; every enclosure URL → `attachments`.
- Entries without a title, or without any text, are skipped with the reason in the report.
  An ill-formed feed is read leniently if feedparser still finds entries (with a report note);
  if it finds none, the feed is refused with a RecordError.
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import io
import re
import time
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import feedparser

from masthead.importers.html_to_markdown import (
    html_to_markdown,
    html_to_plain_text,
    text_to_markdown,
)
from masthead.importers.records import ArticleRecord, ImportReport, RecordError
from masthead.importers.sources.feed_json import parse_json_feed

MAX_BYTES = 20 * 1024 * 1024
USER_AGENT = "Masthead feed importer (+https://github.com/masthead)"
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json;q=0.9, */*;q=0.5"
IMAGE_URL = re.compile(r"\.(jpe?g|png|gif|webp|avif)(\?|#|$)", re.I)


def parse_feed(
    data: bytes, url: str = "", report: ImportReport | None = None
) -> list[ArticleRecord]:
    """Parse a feed document; `url` (where it came from) resolves its relative links."""
    report = report if report is not None else ImportReport()
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return parse_json_feed(data, url, report)
    # A BytesIO, never the bytes themselves: feedparser treats a string that looks like a
    # path or URL as something to open.
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-location": url, "content-type": "application/xml"}
        if url
        else None,
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    if not parsed.entries:
        if parsed.get("bozo"):
            raise RecordError(f"not a readable RSS or Atom feed: {_bozo(parsed)}")
        if not parsed.get("version"):
            raise RecordError("not an RSS or Atom feed (no channel, feed or entries found)")
        report.note("the feed has no entries")
        return []
    if parsed.get("bozo"):
        report.note(f"the feed is not well-formed ({_bozo(parsed)}); read leniently")
    feed_authors = _names(parsed.feed) if parsed.get("version", "").startswith("atom") else []
    records = []
    for number, entry in enumerate(parsed.entries, 1):
        record = _record(entry, url, feed_authors)
        if isinstance(record, str):
            title = _title(entry)
            report.skip(f"entry {number}" + (f" '{title[:60]}'" if title else ""), record)
        else:
            records.append(record)
    return records


def _record(entry, url: str, feed_authors: list[str]) -> ArticleRecord | str:
    """The article for one entry, or the reason it cannot be one."""
    title = _title(entry)
    if not title:
        return "no title"
    content, summary = _content(entry), entry.get("summary_detail")
    body = _markdown(content or summary, entry.get("link") or url)
    if not body:
        return "no text"
    standfirst = ""
    if content and summary:
        standfirst = _standfirst(summary, content)
    published = _when(entry, "published") or _when(entry, "updated")
    updated = _when(entry, "updated")
    enclosures = _enclosures(entry)
    return ArticleRecord(
        title=title,
        body=body,
        key=(entry.get("id") or entry.get("link") or "").strip(),
        standfirst=standfirst,
        published_at=published,
        updated_at=updated if updated != published else None,
        tags=list(dict.fromkeys(t for t in _tags(entry) if t)),
        authors=_names(entry) or feed_authors,
        lead_image_url=_lead_image(entry, enclosures),
        attachments=[href for href, _ in enclosures],
    )


def _title(entry) -> str:
    raw = entry.get("title") or ""
    detail = entry.get("title_detail") or {}
    if "html" in (detail.get("type") or ""):
        raw = html_to_plain_text(raw)
    return " ".join(raw.split())


def _content(entry):
    """The longest full-content part, HTML preferred over plain text."""
    parts = [c for c in entry.get("content") or [] if (c.get("value") or "").strip()]
    parts.sort(key=lambda c: ("html" in (c.get("type") or ""), len(c.get("value") or "")))
    return parts[-1] if parts else None


def _markdown(detail, base: str) -> str:
    if not detail or not (detail.get("value") or "").strip():
        return ""
    if "html" in (detail.get("type") or "text/html"):
        return html_to_markdown(detail["value"], base_url=detail.get("base") or base)
    return text_to_markdown(detail["value"])


def _plain(detail) -> str:
    value = detail.get("value") or ""
    return html_to_plain_text(value) if "html" in (detail.get("type") or "") else value.strip()


def _standfirst(summary, content) -> str:
    """The summary, unless it merely repeats (or truncates) the start of the full text."""
    short, full = " ".join(_plain(summary).split()), " ".join(_plain(content).split())
    stem = re.sub(r"\s*(\[?(…|\.\.\.)\]?|\[&hellip;\])\s*$", "", short)
    if not stem or len(stem) > 500 or full.startswith(stem[:200]):
        return ""
    return short


def _when(entry, name: str) -> dt.datetime | None:
    value = entry.get(f"{name}_parsed")
    if value:
        try:
            return dt.datetime(*value[:6], tzinfo=dt.UTC)
        except (TypeError, ValueError):
            return None
    return _rfc2822(entry.get(name) or "")


def _rfc2822(raw: str) -> dt.datetime | None:
    """RFC 2822 dates feedparser gives up on: with (nested) comments or odd whitespace."""
    previous = None
    while previous != raw:  # innermost comments first; each one acts as white space
        previous, raw = raw, re.sub(r"\((?:[^()\\]|\\.)*\)", " ", raw)
    raw = re.sub(r"\s*,\s*", ", ", " ".join(raw.split()))
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _names(source) -> list[str]:
    names = []
    for person in source.get("authors") or []:
        name = " ".join((person.get("name") or "").split())
        if name and "@" not in name:  # an address is private, never a byline
            names.append(html.unescape(name))
    return list(dict.fromkeys(names))


def _tags(entry) -> list[str]:
    return [
        " ".join((t.get("term") or t.get("label") or "").split()) for t in entry.get("tags") or []
    ]


def _enclosures(entry) -> list[tuple[str, str]]:
    found = []
    for link in entry.get("enclosures") or []:
        href = _http(link.get("href"))
        if href:
            found.append((href, (link.get("type") or "").lower()))
    return list(dict.fromkeys(found))


def _lead_image(entry, enclosures) -> str:
    for href, kind in enclosures:
        if kind.startswith("image/") or (not kind and IMAGE_URL.search(href)):
            return href
    for media in entry.get("media_content") or []:
        kind = (media.get("type") or "").lower()
        if media.get("medium") == "image" or kind.startswith("image/"):
            if _http(media.get("url")):
                return _http(media.get("url"))
    for thumb in entry.get("media_thumbnail") or []:
        if _http(thumb.get("url")):
            return _http(thumb.get("url"))
    return ""


def _http(url) -> str:
    url = (url or "").strip()
    return url if re.match(r"(?i)https?://[^\s]+$", url) else ""


def _bozo(parsed) -> str:
    exc = parsed.get("bozo_exception")
    text = str(getattr(exc, "getMessage", lambda: exc)() or exc or "unknown error")
    return " ".join(text.split())[:200]


# --- fetching ------------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): never to ftp:, file: or anything else."""

    def http_error_302(self, req, fp, code, msg, headers):
        target = urljoin(req.full_url, headers.get("Location") or headers.get("URI") or "")
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            fp.close()
            raise RecordError(f"refusing a redirect to {target[:100]}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch_feed(url: str, timeout: float = 10, max_bytes: int = MAX_BYTES) -> bytes:
    """GET an http(s) feed; RecordError on a bad URL, HTTP error, timeout or oversize body."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise RecordError(f"only http:// and https:// feed URLs can be fetched, not {url[:100]!r}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked just above)
        url.strip(),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "identity"},
    )
    opener = urllib.request.build_opener(_HttpOnlyRedirects)
    deadline = time.monotonic() + timeout  # the socket timeout alone allows a slow drip
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdecimal() and int(declared) > max_bytes:
                raise RecordError(f"{url} is too large ({int(declared):,} bytes)")
            chunks, size = [], 0
            # read1: whatever has arrived, so the deadline is checked while a server drips.
            while chunk := response.read1(65536):
                size += len(chunk)
                if size > max_bytes:
                    raise RecordError(f"{url} is too large (over {max_bytes:,} bytes)")
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunks.append(chunk)
            return b"".join(chunks)
    except urllib.error.HTTPError as exc:
        raise RecordError(f"{url} answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise RecordError(f"timed out after {timeout:g} s fetching {url}") from None
        raise RecordError(f"could not fetch {url}: {exc.reason}") from None
    except TimeoutError:
        raise RecordError(f"timed out after {timeout:g} s fetching {url}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise RecordError(f"could not fetch {url}: {exc}") from None
