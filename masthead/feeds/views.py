"""Feeds, sitemaps and robots.txt over HTTP: thin views with deliberate caching.

Feeds answer conditional GETs: the ETag and Last-Modified come from one small query (the ids
and times of the feed's articles, plus what the scope shows), so an unchanged feed costs a
feed reader's poll two queries and no rendering. The ETag also changes when an article leaves
the feed; a client sending only If-Modified-Since learns of a removal at the next change.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import condition

from masthead.core import surrogate
from masthead.core.http import public
from masthead.core.text import clean_text

from . import sitemap_stream
from .sitemaps import SITEMAPS, news_articles, site_domain
from .syndication import ArticleFeed, Scope, feed_items, feed_size, full_content

FEED_MAX_AGE = 300
SITEMAP_MAX_AGE = 900
NEWS_SITEMAP_MAX_AGE = 300
ROBOTS_MAX_AGE = 86400
# Bump when the feed markup changes, so cached copies are not revalidated as unchanged.
FEED_FORMAT_VERSION = 1


class _FeedState:
    def __init__(self, fmt: str, kind: str, slug: str | None):
        self.scope = Scope.resolve(kind, slug)
        stamps = list(self.scope.articles().order_by("-published_at", "-pk")
                      .values_list("pk", "updated_at", "published_at")[: feed_size()])
        self.last_modified = max((max(u, p) for _, u, p in stamps), default=None)
        signature = repr((FEED_FORMAT_VERSION, fmt, full_content(), settings.SITE_URL,
                          self.scope.fingerprint(), stamps))
        self.etag = '"' + hashlib.sha256(signature.encode()).hexdigest()[:32] + '"'


def _state(request, fmt, kind="site", slug=None) -> _FeedState:
    # condition() calls the ETag and Last-Modified functions separately: compute once.
    if getattr(request, "_masthead_feed_state", None) is None:
        request._masthead_feed_state = _FeedState(fmt, kind, slug)
    return request._masthead_feed_state


def _public_always(max_age):
    """Cache-Control on every answer, 304s included (condition() builds those itself)."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return public(view(request, *args, **kwargs), max_age=max_age)
        return wrapped
    return decorator


@_public_always(FEED_MAX_AGE)
@condition(etag_func=lambda request, **kw: _state(request, **kw).etag,
           last_modified_func=lambda request, **kw: _state(request, **kw).last_modified)
def feed(request, fmt, kind="site", slug=None):
    state = _state(request, fmt, kind, slug)
    items = feed_items(state.scope)
    surrogate.add(request, state.scope.surrogate_key, *surrogate.article_keys(items))
    return ArticleFeed(state.scope, fmt, items)(request)


def _xml(request, template, context, max_age):
    surrogate.add(request, "sitemap")
    response = render(request, template, context, content_type="application/xml; charset=utf-8")
    return public(response, max_age=max_age)


def sitemap_index(request):
    site, protocol = site_domain()
    entries = []
    for name, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        pages = sitemap.paginator.num_pages
        lastmod = sitemap.get_latest_lastmod()
        for page in range(1, pages + 1):
            entries.append({"location": f"{protocol}://{site.domain}/sitemap-{name}-{page}.xml",
                            "lastmod": lastmod})
    return _xml(request, "feeds/sitemap_index.xml", {"entries": entries}, SITEMAP_MAX_AGE)


def sitemap_section(request, name, page):
    """One sitemap file, streamed (sitemap_stream.py): up to 50,000 URLs in bounded memory.
    Streamed responses are neither stored by the page cache nor compressed by the app; the
    file is public for 15 minutes, for a proxy or CDN in front to keep."""
    sitemap_class = SITEMAPS.get(name)
    if sitemap_class is None:
        raise Http404("No such sitemap")
    site, protocol = site_domain()
    sitemap = sitemap_class()
    try:
        items = sitemap_stream.page_items(sitemap, page)
    except InvalidPage:
        raise Http404("No such sitemap page") from None
    surrogate.add(request, "sitemap")
    response = StreamingHttpResponse(sitemap_stream.chunks(sitemap, items, site, protocol),
                                     content_type="application/xml; charset=utf-8")
    return public(response, max_age=SITEMAP_MAX_AGE)


def news_sitemap(request):
    articles = list(news_articles())
    for article in articles:  # the one text in a sitemap; XML cannot carry every character
        article.headline = clean_text(article.headline)
    surrogate.add(request, *surrogate.article_keys(articles))
    return _xml(request, "feeds/news_sitemap.xml", {
        "articles": articles, "site_url": settings.SITE_URL,
        "publication": settings.SITE_NAME, "language": settings.SITE_LANGUAGE,
    }, NEWS_SITEMAP_MAX_AGE)


def robots_txt(request):
    body = "\n".join([
        "User-agent: *",
        "Disallow: /newsroom/",
        "Disallow: /search/",
        "",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
        f"Sitemap: {settings.SITE_URL}/news-sitemap.xml",
        "",
    ])
    surrogate.add(request, "site")
    return public(HttpResponse(body, content_type="text/plain; charset=utf-8"),
                  max_age=ROBOTS_MAX_AGE)
