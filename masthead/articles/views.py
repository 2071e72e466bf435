"""Reader pages: front page, article page, section/tag/author listings, standing pages.

Thin views (STYLE habit 4): look up with `Article.objects.published()`, render, set
deliberate cache headers. Query counts are fixed per page whatever the number of articles.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from masthead.core import surrogate
from masthead.core.http import public

from .models import Article, Author, Byline, Section, Tag

SECTION_BLOCK_SIZE = 4


def _paginate(request, queryset):
    paginator = Paginator(queryset, settings.MASTHEAD_PAGE_SIZE)
    try:
        number = int(request.GET.get("page", "1"))
        return paginator.page(number)
    except (ValueError, PageNotAnInteger, EmptyPage):
        raise Http404("No such page") from None


def front_page(request):
    visible = Article.objects.published().stories()
    featured = list(visible.filter(featured=True).for_listing()[:3])
    latest = list(visible.exclude(pk__in=[a.pk for a in featured]).for_listing()[:10])
    # Every navigation section's newest stories in one query made of one small "newest N in
    # this section" subquery per section. A window function ranking every published story
    # took seconds at 100,000 articles (docs/performance.md); these subqueries read only N
    # rows each when an index on (section, published_at) exists.
    sections = list(Section.objects.navigation())
    by_section: dict[int, list[Article]] = {s.pk: [] for s in sections}
    newest = Q()
    for section in sections:
        newest |= Q(pk__in=visible.filter(section=section).order_by("-published_at", "-id")
                    .values("pk")[:SECTION_BLOCK_SIZE])
    if sections:
        for article in Article.objects.filter(newest).for_listing():
            by_section[article.section_id].append(article)
    blocks = [(s, by_section[s.pk]) for s in sections if by_section[s.pk]]
    shown = featured + latest + [a for _, items in blocks for a in items]
    surrogate.add(request, "site", "front", *surrogate.article_keys(shown))
    response = render(request, "articles/front.html", {
        "featured": featured, "latest": latest, "section_blocks": blocks, "shown": shown,
    })
    return public(response)


def article_page(request, year: int, month: int, day: int, slug: str):
    try:
        pub_date = dt.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None
    article = get_object_or_404(
        Article.objects.published().select_related("section", "lead_image").prefetch_related(
            "tags", Prefetch("bylines", queryset=Byline.objects.select_related("author"))
        ),
        pub_date=pub_date, slug=slug, kind=Article.Kind.ARTICLE,
    )
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


def _listing(request, template: str, heading_obj, queryset, kind: str):
    page = _paginate(request, queryset.for_listing())
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
    articles = Article.objects.published().stories().filter(tags=tag)
    return _listing(request, "articles/listing.html", tag, articles, "tag")


def author_page(request, slug: str):
    author = get_object_or_404(Author, slug=slug)
    articles = Article.objects.published().stories().filter(bylines__author=author)
    return _listing(request, "articles/listing.html", author, articles, "author")


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
