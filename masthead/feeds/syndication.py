"""The article feeds, declared once with Django's syndication `Feed` and written per format.

A feed has a scope (the whole site, a section, a tag or an author) and a format (RSS, Atom,
JSON Feed); the scope decides which articles, titles and links, the format only how they are
written. Items are `Article.objects.published().stories()`, newest first, loaded with a fixed
number of queries whatever their number. Every URL is absolute, built on MASTHEAD_SITE_URL.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Enclosure
from django.utils.html import escape

from masthead.articles.models import Article, ArticleTag, Author, Byline, Section, Tag
from masthead.core.html import html_to_text
from masthead.core.text import summarise

from .generators import AtomFeed, JsonFeed, RssFeed

FORMATS = {"rss": RssFeed, "atom": AtomFeed, "json": JsonFeed}
# Where each format lives under a scope's base path ("/feed/", "/section/x/feed/"...).
SUFFIXES = {"rss": "feed/", "atom": "feed/atom/", "json": "feed.json"}
SCOPES = {"section": (Section, "section"), "tag": (Tag, "tags"),
          "author": (Author, "bylines__author")}
# Tag and author feeds find their newest stories by the link tables' listing index (`listed_at`,
# decision 0007), as their listing pages do: the join through the link table read and sorted
# every story of the tag (a popular tag holds 100,000+ stories of a 1M archive).
LINKS = {"tag": (ArticleTag, "tag"), "author": (Byline, "author")}

# Root-relative links and images in article bodies; feed readers have no base URL to resolve
# them against. nh3 always writes attributes double-quoted.
_RELATIVE = re.compile(r'((?:href|src)=")/(?!/)')
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?])")


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path


def absolutise_html(html: str) -> str:
    return _RELATIVE.sub(lambda m: m.group(1) + settings.SITE_URL + "/", html or "")


@dataclass(frozen=True)
class Scope:
    """What a feed covers: `kind` is "site", "section", "tag" or "author"."""

    kind: str
    obj: Section | Tag | Author | None = None

    @classmethod
    def resolve(cls, kind: str = "site", slug: str | None = None) -> Scope:
        if kind == "site":
            return cls("site")
        model, _ = SCOPES[kind]
        return cls(kind, get_object_or_404(model, slug=slug))

    def articles(self):
        """The stories the feed may show: only the newest `feed_size()` for a tag or author
        (the feed never shows more), all of them for the site or a section."""
        articles = Article.objects.published().stories()
        if self.kind in LINKS:
            model, field = LINKS[self.kind]
            newest = (model.objects.listed().filter(**{field: self.obj})
                      .order_by("-listed_at", "-article_id").values("article_id")[: feed_size()])
            return articles.filter(pk__in=newest)
        if self.obj is not None:
            articles = articles.filter(**{SCOPES[self.kind][1]: self.obj})
        return articles

    @property
    def base_path(self) -> str:
        return "/" if self.obj is None else self.obj.get_absolute_url()

    def feed_path(self, fmt: str) -> str:
        return self.base_path + SUFFIXES[fmt]

    @property
    def title(self) -> str:
        return settings.SITE_NAME if self.obj is None else f"{self.obj.name} · {settings.SITE_NAME}"

    @property
    def description(self) -> str:
        if self.obj is None:
            return f"The latest articles from {settings.SITE_NAME}."
        detail = getattr(self.obj, "description", "") or getattr(self.obj, "bio", "")
        return detail or f"The latest articles: {self.obj.name}."

    @property
    def surrogate_key(self) -> str:
        return "feed" if self.obj is None else f"{self.kind}:{self.obj.pk}"

    def fingerprint(self) -> tuple:
        """What, besides the items, shows in the feed (for the ETag)."""
        return (self.kind, self.title, self.description, self.base_path)


def feed_size() -> int:
    return getattr(settings, "MASTHEAD_FEED_ITEMS", 20)


def full_content() -> bool:
    return getattr(settings, "MASTHEAD_FEED_FULL_CONTENT", True)


class ArticleFeed(Feed):
    """One scope in one format; `items` is computed once by the view and handed in."""

    def __init__(self, scope: Scope, fmt: str, items: list[Article]):
        self.scope, self.fmt, self._items = scope, fmt, items
        self.feed_type = FORMATS[fmt]
        self.language = settings.SITE_LANGUAGE

    def get_object(self, request, *args, **kwargs):
        return self.scope

    def title(self, scope):
        return scope.title

    def link(self, scope):
        return absolute(scope.base_path)

    def feed_url(self, scope):
        return absolute(scope.feed_path(self.fmt))

    def description(self, scope):
        return scope.description

    def feed_guid(self, scope):
        return absolute(scope.feed_path(self.fmt))

    def items(self, scope):
        return self._items

    def item_title(self, article):
        return article.headline  # plain text; the XML writer escapes it once

    def item_link(self, article):
        return absolute(article.get_absolute_url())

    def item_guid(self, article):
        # Stable across slug changes and URL moves (RFC 4151 tag URI, isPermaLink="false").
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"tag:{host},{article.created_at:%Y-%m-%d}:article:{article.pk}"

    item_guid_is_permalink = False

    def item_description(self, article):
        return escape(self.summary(article))  # RSS description / Atom summary hold HTML

    def summary(self, article) -> str:
        if article.standfirst:
            return article.standfirst
        # html_to_text leaves a space where an inline tag closed before punctuation.
        text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", html_to_text(article.body_html))
        return summarise(text, 280)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_categories(self, article):
        return [t.name for t in article.tags.all()]

    def item_enclosures(self, article):
        image = article.lead_image
        if image is None or not image.url:
            return []
        length = 0
        if image.file:
            try:
                length = image.file.size
            except OSError:
                length = 0  # RSS allows 0 when the size is unknown
        mime = mimetypes.guess_type(image.url)[0] or "image/jpeg"
        return [Enclosure(absolute(image.url), str(length), mime)]

    def item_extra_kwargs(self, article):
        image = article.lead_image
        return {
            "content_html": absolutise_html(article.body_html) if full_content() else None,
            "summary_text": self.summary(article),
            "authors": [{"name": a.name, "url": absolute(a.get_absolute_url())}
                        for a in article.byline_authors],
            "image": absolute(image.url) if image is not None and image.url else None,
        }


def feed_items(scope: Scope) -> list[Article]:
    """The feed's articles with everything a feed item shows, in four queries."""
    # Feeds carry the text: undo for_listing()'s deferral of the body.
    return list(scope.articles().for_listing().defer(None).prefetch_related("tags")[: feed_size()])
