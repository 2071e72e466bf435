"""Sitemaps, declared with Django's `Sitemap` class: articles, listings and the front page.

`/sitemap.xml` is always an index (sitemaps.org): each declared sitemap is split into files of
at most MASTHEAD_SITEMAP_URLS_PER_FILE URLs (50,000, the protocol's limit), listed as
`/sitemap-<name>-<page>.xml` (articles by id range: `IdRangePaginator`). `lastmod` is the
article's updated time; a listing's is the newest updated time among the stories its first
page shows: what the URL a crawler fetches holds. Read through the listing's own index (the
newest MASTHEAD_PAGE_SIZE links of a tag or author by `listed_at`, of a section by
`published_at`), it costs a page's worth of rows per listing; the newest update among all of
a tag's stories read every one of them (35 s for the tags file of a 1M archive, issue 20).
Listings with no visible article are left out (an empty page is not worth a crawler's visit).
URLs are built on MASTHEAD_SITE_URL, not on the request's host.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from masthead.articles.models import Article, ArticleTag, Author, Byline, Section, Tag

URLS_PER_FILE = 50_000  # sitemaps.org: at most 50,000 URLs (and 50 MB) per file
NEWS_DAYS = 2  # Google News: only articles published in the last two days
NEWS_MAX_URLS = 1000  # Google News: at most 1,000 URLs per news sitemap


@dataclass(frozen=True)
class SiteDomain:
    """What Django's `Sitemap.get_urls(site=...)` needs: the host of MASTHEAD_SITE_URL."""

    domain: str


def site_domain() -> tuple[SiteDomain, str]:
    parts = urlsplit(settings.SITE_URL)
    return SiteDomain(parts.netloc + parts.path.rstrip("/")), parts.scheme or "http"


class _Limited(Sitemap):
    @property
    def limit(self):
        return getattr(settings, "MASTHEAD_SITEMAP_URLS_PER_FILE", URLS_PER_FILE)


class IdRangePaginator:
    """Pages of a queryset by id range: page k holds the items with ids in
    ((k-1)·limit, k·limit], so at most `limit`, each read by one index range whatever k.

    Django's `Paginator` counts the whole listing and reaches page k by OFFSET: at 1M articles
    the last article sitemap skipped 950,000 rows and the index counted them all (issue 20).
    Ranges also keep a file's contents stable as the archive grows. A range whose articles are
    all drafts or deleted gives a file with no URL, which the protocol allows.
    """

    def __init__(self, items, limit: int):
        self.items, self.limit = items, limit

    @cached_property
    def num_pages(self) -> int:
        # The highest id of any article, not of a visible one: one index lookup, no scan.
        top = Article.objects.aggregate(top=Max("pk"))["top"] or 0
        return max(1, -(-top // self.limit))

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("not a page number") from None
        if not 1 <= number <= self.num_pages:
            raise EmptyPage("no such page")
        low = (number - 1) * self.limit
        return SimpleNamespace(object_list=self.items.filter(pk__gt=low, pk__lte=low + self.limit)
                               .iterator(chunk_size=2000))


class ArticleSitemap(_Limited):
    """Every visible article and standing page, oldest first (so files fill and then settle)."""

    def items(self):
        return Article.objects.published().only(
            "pk", "slug", "kind", "pub_date", "updated_at").order_by("pk")

    @property
    def paginator(self):
        return IdRangePaginator(self.items(), self.limit)

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class _ListingSitemap(_Limited):
    model = None
    relation = ""

    def first_page(self):
        """The ids of the stories on the first page of the listing `OuterRef(OuterRef("pk"))`
        (a correlated subquery), newest first, as the listing's view reads them."""
        raise NotImplementedError

    def items(self):
        shown = Article.objects.filter(pk__in=self.first_page()).order_by("-updated_at")
        latest = Subquery(shown.values("updated_at")[:1])
        return (self.model.objects.annotate(latest=latest).filter(latest__isnull=False)
                .only("pk", "slug").order_by("pk"))

    def lastmod(self, obj):
        return obj.latest

    def get_latest_lastmod(self):
        return Article.objects.published().filter(
            **{f"{self.relation}__isnull": False}).aggregate(latest=Max("updated_at"))["latest"]


def _page_size() -> int:
    return settings.MASTHEAD_PAGE_SIZE


class SectionSitemap(_ListingSitemap):
    model, relation = Section, "section"

    def first_page(self):
        return (Article.objects.published().stories()
                .filter(section=OuterRef(OuterRef("pk"))).order_by("-published_at", "-pk")
                .values("pk")[:_page_size()])


class TagSitemap(_ListingSitemap):
    model, relation = Tag, "tags"

    def first_page(self):
        return (ArticleTag.objects.listed().filter(tag=OuterRef(OuterRef("pk")))
                .order_by("-listed_at", "-article").values("article")[:_page_size()])


class AuthorSitemap(_ListingSitemap):
    model, relation = Author, "bylines__author"

    def first_page(self):
        return (Byline.objects.listed().filter(author=OuterRef(OuterRef("pk")))
                .order_by("-listed_at", "-article").values("article")[:_page_size()])


class FrontSitemap(Sitemap):
    def items(self):
        return ["/"]

    def location(self, item):
        return item

    def lastmod(self, item):
        return Article.objects.published().stories().aggregate(latest=Max("updated_at"))["latest"]

    def get_latest_lastmod(self):
        return self.lastmod("/")


SITEMAPS = {
    "front": FrontSitemap,
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def news_articles(now: dt.datetime | None = None):
    """Articles for the Google News sitemap: published in the last NEWS_DAYS days."""
    now = now or timezone.now()
    return (Article.objects.published(now).stories()
            .filter(published_at__gte=now - dt.timedelta(days=NEWS_DAYS))
            .only("pk", "slug", "kind", "pub_date", "headline", "published_at")
            .order_by("-published_at", "-pk")[:NEWS_MAX_URLS])
