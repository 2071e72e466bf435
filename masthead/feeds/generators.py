"""Feed formats: Django's RSS 2.0 and Atom 1.0 generators extended, and JSON Feed 1.1.

Each generator receives the same items from `syndication.ArticleFeed` (declared once) and
serialises them its own way. Items carry these extra keys beside Django's standard ones:
`content_html` (the full body with absolute URLs, or None when feeds carry summaries only),
`summary_text` (plain text), `authors` ([{"name", "url"}]), `image` (absolute URL or None).

Every string given to a generator is cleaned first (`core.feedtext.Writable`): stored text is
already clean (core/signal_handlers.py), but a feed must not answer 500 because one article
slipped a form feed past that rule, as one did before issue 15.
"""

from __future__ import annotations

import json

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed, rfc3339_date

from masthead.core.feedtext import Writable

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"


class RssFeed(Writable, Rss201rev2Feed):
    """RSS 2.0 with the full text in `content:encoded` and one `dc:creator` per author."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS, "xmlns:dc": DC_NS}

    def add_item_elements(self, handler, item):
        # Django writes one dc:creator (with its own xmlns) from author_name; we write one per
        # author instead, so author_name is cleared for the parent and restored afterwards.
        names = [a["name"] for a in item.get("authors") or []]
        super().add_item_elements(handler, {**item, "author_name": None})
        for name in names:
            handler.addQuickElement("dc:creator", name)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomFeed(Writable, Atom1Feed):
    """Atom 1.0 with `<content type="html">` and one `<author>` per author."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "author_name": None})
        for author in item.get("authors") or []:
            handler.startElement("author", {})
            handler.addQuickElement("name", author["name"])
            if author.get("url"):
                handler.addQuickElement("uri", author["url"])
            handler.endElement("author")
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class JsonFeed(Writable, SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""

    content_type = "application/feed+json; charset=utf-8"
    version = "https://jsonfeed.org/version/1.1"

    def write(self, outfile, encoding):
        outfile.write(json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":")))

    def as_dict(self) -> dict:
        feed = self.feed
        data = {
            "version": self.version,
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["description"],
            "language": feed["language"],
            "items": [self.item_dict(item) for item in self.items],
        }
        if feed.get("icon"):
            data["icon"] = feed["icon"]
        return {k: v for k, v in data.items() if v not in (None, "")}

    def item_dict(self, item: dict) -> dict:
        data = {
            "id": item["unique_id"] or item["link"],
            "url": item["link"],
            "title": item["title"],
            "summary": item.get("summary_text") or None,
            "image": item.get("image"),
            "date_published": rfc3339_date(item["pubdate"]) if item["pubdate"] else None,
            "date_modified": rfc3339_date(item["updateddate"]) if item["updateddate"] else None,
            "authors": [{k: v for k, v in a.items() if v} for a in item.get("authors") or []],
            "tags": list(item["categories"]),
            "attachments": [
                {"url": e.url, "mime_type": e.mime_type,
                 **({"size_in_bytes": int(e.length)} if str(e.length).isdigit()
                    and int(e.length) > 0 else {})}
                for e in item["enclosures"]
            ],
        }
        # An item must carry content_html or content_text; summaries-only feeds send the text.
        if item.get("content_html"):
            data["content_html"] = item["content_html"]
        else:
            data["content_text"] = item.get("summary_text") or item["title"]
        return {k: v for k, v in data.items() if v not in (None, "", [])}
