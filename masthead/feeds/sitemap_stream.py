"""A sitemap file written as a stream: the bytes of `feeds/sitemap.xml`, a chunk at a time.

Django's `Sitemap.get_urls` builds a dict per URL (holding its model instance) for the whole
file and the template renders the file as one string: at 50,000 URLs a file that is ~50 MB of
objects and an 8 MB string per request (issue 20, item 5). Here the file's items are read with
the paginator's server-side iterator and written `CHUNK` URLs at a time, so a worker holds one
chunk whatever the file's size. The bytes are those the template gives, element for element:
the location escaped as the template's autoescaping does, `lastmod` through the `date:"c"`
filter in the time zone active when the view ran (tested equal for every sitemap, in
masthead/feeds/tests/test_sitemap_stream.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.sitemaps import Sitemap
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
TAIL = "</urlset>\n"
CHUNK = 1000  # URLs a chunk: ~150 KB, few enough yields that their cost does not show


def _value(sitemap: Sitemap, name: str, item):
    # As Sitemap._get: an attribute may be a method of the item or a plain value.
    attr = getattr(sitemap, name, None)
    return attr(item) if callable(attr) else attr


def page_items(sitemap: Sitemap, page):
    """The items of one file; raises the paginator's InvalidPage (a 404) before any byte."""
    items = sitemap.paginator.page(page).object_list
    # Django's Paginator hands a sliced queryset: read it in chunks too, not all at once.
    return items.iterator(chunk_size=2000) if hasattr(items, "iterator") else items


def chunks(sitemap: Sitemap, items, site, protocol: str) -> Iterator[bytes]:
    zone = timezone.get_current_timezone()  # the template's `date` converts to this zone
    prefix = f"{protocol}://{site.domain}"
    parts = [HEAD]
    for n, item in enumerate(items, 1):
        lastmod = _value(sitemap, "lastmod", item)
        parts.append(f"<url><loc>{escape(prefix + sitemap.location(item))}</loc>")
        if lastmod:
            if timezone.is_aware(lastmod):
                lastmod = timezone.localtime(lastmod, zone)
            parts.append(f"<lastmod>{escape(date_format(lastmod, 'c'))}</lastmod>")
        parts.append("</url>\n")
        if n % CHUNK == 0:
            yield "".join(parts).encode()
            parts = []
    parts.append(TAIL)
    yield "".join(parts).encode()
