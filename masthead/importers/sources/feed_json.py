"""JSON Feed (1.0 and 1.1) → neutral import records.

Owns the JSON dialect of `masthead import feed`; `sources/feed.py` hands a document here when it
starts with `{` (the feedparser release we use reads only XML feeds). Public:
`parse_json_feed(data, url, report)`. Field rules are the XML ones, from the JSON Feed 1.1
spec (jsonfeed.org/version/1.1): `id` is the key, `content_html` is preferred over
`content_text`, `summary` is the standfirst, feed-level `authors` (1.1) or `author` (1.0)
apply to items without their own, `image` or an image attachment is the lead image.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from masthead.importers.html_to_markdown import html_to_markdown, text_to_markdown
from masthead.importers.records import ArticleRecord, ImportReport, RecordError


def parse_json_feed(data: bytes, url: str, report: ImportReport) -> list[ArticleRecord]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"not a readable JSON Feed: {exc}") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise RecordError("not a JSON Feed (no https://jsonfeed.org/version/ marker)")
    items = doc.get("items")
    if not isinstance(items, list):
        raise RecordError("not a JSON Feed (no items list)")
    feed_authors = _authors(doc)
    base = _http(doc.get("home_page_url")) or url
    records = []
    for number, item in enumerate(items, 1):
        record = _record(item, base, feed_authors) if isinstance(item, dict) else "not an object"
        if isinstance(record, str):
            title = _text(item.get("title")) if isinstance(item, dict) else ""
            report.skip(f"entry {number}" + (f" '{title[:60]}'" if title else ""), record)
        else:
            records.append(record)
    if not items:
        report.note("the feed has no entries")
    return records


def _record(item: dict, base: str, feed_authors: list[str]) -> ArticleRecord | str:
    title = " ".join(_text(item.get("title")).split())
    if not title:
        return "no title"
    link = _http(item.get("url")) or base
    if _text(item.get("content_html")).strip():
        body = html_to_markdown(_text(item.get("content_html")), base_url=link)
    else:
        body = text_to_markdown(_text(item.get("content_text")))
    if not body:
        return "no text"
    attachments = [a for a in item.get("attachments") or [] if isinstance(a, dict)]
    images = [
        _http(a.get("url")) for a in attachments if _text(a.get("mime_type")).startswith("image/")
    ]
    published = _date(item.get("date_published")) or _date(item.get("date_modified"))
    updated = _date(item.get("date_modified"))
    tags = [" ".join(_text(t).split()) for t in item.get("tags") or []]
    return ArticleRecord(
        title=title,
        body=body,
        key=_text(item.get("id")).strip() or _http(item.get("url")),
        standfirst=" ".join(_text(item.get("summary")).split()),
        published_at=published,
        updated_at=updated if updated != published else None,
        tags=list(dict.fromkeys(t for t in tags if t)),
        authors=_authors(item) or feed_authors,
        lead_image_url=_http(item.get("image")) or next(filter(None, images), ""),
        attachments=[u for u in (_http(a.get("url")) for a in attachments) if u],
    )


def _authors(source: dict) -> list[str]:
    people = source.get("authors") or ([source["author"]] if source.get("author") else [])
    names = [" ".join(_text(p.get("name")).split()) for p in people if isinstance(p, dict)]
    return list(dict.fromkeys(n for n in names if n and "@" not in n))


def _text(value) -> str:
    # JSON Feed ids may be numbers; anything else that is not a string is ignored.
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _http(value) -> str:
    url = _text(value).strip()
    return url if re.match(r"(?i)https?://\S+$", url) else ""


def _date(value) -> dt.datetime | None:
    raw = _text(value).strip()
    try:
        parsed = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
