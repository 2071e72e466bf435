"""Reader pages: front page, article page, section/tag/author listings, standing pages.

Thin views (STYLE habit 4): look up with `Article.objects.published()` (the article page:
with `reading.py`'s hand-written SQL, the same rule), render, set deliberate cache headers.
Query counts are fixed per page whatever the number of articles.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from masthead.core import surrogate
from masthead.core.http import public

from . import reading
from .front_page import front_page_stories
from .models import Article, ArticleTag, Author, Byline, Section, Tag
from .pagination import ARTICLE_KEY, LINK_KEY, listing_page


def front_page(request):
    page = front_page_stories()
    shown = page.shown
    surrogate.add(request, "site", "front", *surrogate.article_keys(shown))
    response = render(request, "articles/front.html", {
        # `lead` and `top` are the curated front (articles/front_page.py); `featured` is the
        # lead then the top stories, the name the template used before curation.
        "lead": page.lead, "top": page.top, "featured": page.featured,
        "latest": page.latest, "section_blocks": page.section_blocks, "shown": shown,
    })
    return public(response)


def article_page(request, year: int, month: int, day: int, slug: str):
    try:
        pub_date = dt.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None
    article = reading.published_article(pub_date, slug)
    if article is None:
        raise Http404("No such article")
    surrogate.add(request, "site", f"page:{article.pk}", f"a:{article.pk}")
    response = render(request, "articles/article.html", {"article": article})
    return public(response)


def standing_page(request, slug: str):
    article = get_object_or_404(
        Article.objects.published().prefetch_related("bylines__author"),
        slug=slug, kind=Article.Kind.PAGE,
    )
    surrogate.add(request, "site", f"page:{article.pk}", f"a:{article.pk}")
    return public(render(request, "articles/page.html", {"article": article}))


def _listing(request, template: str, heading_obj, queryset, kind: str,
             fields=ARTICLE_KEY):
    # The page's ids through the ORM (each listing filters differently; keyset links for
    # deep pages, see pagination.py), then the teasers through reading.py's SQL, which costs
    # a fraction of `for_listing()`'s prefetching.
    page = listing_page(queryset, request.GET, settings.MASTHEAD_PAGE_SIZE,
                        anchor_id=f"{kind}:{heading_obj.pk}", fields=fields)
    page.object_list = reading.teasers(page.object_list)
    surrogate.add(request, "site", f"{kind}:{heading_obj.pk}",
                  *surrogate.article_keys(page.object_list))
    response = render(request, template, {
        "object": heading_obj, "page": page, "articles": page.object_list, "kind": kind,
    })
    return public(response)


def section_page(request, slug: str):
    section = get_object_or_404(Section, slug=slug)
    articles = Article.objects.published().stories().filter(section=section)
    return _listing(request, "articles/listing.html", section, articles, "section")


def tag_page(request, slug: str):
    tag = get_object_or_404(Tag, slug=slug)
    # The tag's link rows by their listing key (models.ArticleTag): one index range, where
    # `published().stories().filter(tags=tag)` read and sorted every story of the tag.
    links = ArticleTag.objects.listed().filter(tag=tag)
    return _listing(request, "articles/listing.html", tag, links, "tag", LINK_KEY)


def author_page(request, slug: str):
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    links = Byline.objects.listed().filter(author=author)  # as tag_page
    return _listing(request, "articles/listing.html", author, links, "author", LINK_KEY)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
