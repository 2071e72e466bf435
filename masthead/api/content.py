"""The Content API: published content only, public, cached like reader pages.

Thin views: ninja validates the parameters against their declared types, the view queries,
`serializers` builds the allow-listed answer, and `_ok` makes it `public, max-age=60` with the
surrogate keys the page cache purges by (so an answer is stored and invalidated exactly like
the page showing the same articles). The views return finished responses, so the answers are
byte-for-byte what they were before the framework; `schemas` describes them and the tests
check every answer against that description.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from ninja import Query, Router

from masthead.articles.models import Article, ArticleTag, Author, Byline, Section, Tag
from masthead.core import surrogate
from masthead.core.http import public
from masthead.search import services as search_services
from masthead.search.query import QueryError

from . import schemas, serializers
from .auth import ContentAuth
from .problems import Problem, problem

MAX_AGE = 60
SCHEMA_MAX_AGE = 3600
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
ERRORS = {400: Problem, 401: Problem, 429: Problem}

router = Router(auth=ContentAuth(), tags=["Content"])


class BadRequest(ValueError):
    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def _ok(request, data, *keys, max_age=MAX_AGE) -> JsonResponse:
    surrogate.add(request, "api", *keys)
    return public(JsonResponse(data, json_dumps_params={"ensure_ascii": False}), max_age=max_age)


def _page_url(request, page: int) -> str:
    params = {k: v for k, v in request.GET.items() if k != "page"}
    return serializers.absolute(request.path + "?" + urlencode({**params, "page": page}))


def _paginated(request, queryset, serialise, number: int, per_page: int,
               load=list) -> tuple[dict, list]:
    """One numbered page of `queryset`; `load` turns the page's rows into the objects shown."""
    paginator = Paginator(queryset, per_page)
    try:
        page = paginator.page(number)
    except EmptyPage:
        raise BadRequest("bad_parameter", f"page must be between 1 and {paginator.num_pages}") \
            from None
    objects = load(page.object_list)
    data = {"results": [serialise(o) for o in objects],
            "pagination": {"page": number, "per_page": per_page, "pages": paginator.num_pages,
                           "total": paginator.count,
                           "next": _page_url(request, number + 1) if page.has_next() else None,
                           "previous": _page_url(request, number - 1)
                           if page.has_previous() else None}}
    return data, objects


PageNumber = Query(1, ge=1, le=10**6, description="page number, from 1")
PerPage = Query(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE, description="results per page (1-100)")


@router.get("/articles/", response={200: schemas.ArticleList, **ERRORS},
            summary="Published articles, newest first")
def articles(request, page: int = PageNumber, per_page: int = PerPage,
             section: str | None = Query(None, description="section slug"),
             tag: str | None = Query(None, description="tag slug"),
             author: str | None = Query(None, description="author slug"),
             type: Literal["article", "page"] = Query(  # noqa: A002 - the parameter's name
                 "article", description="article (default) or page")):
    if type == "article" and not section and bool(tag) != bool(author):
        # The tag's or author's id first: the listing read is then one index range.
        links = (ArticleTag.objects.filter(tag=Tag.objects.filter(slug=tag).first()) if tag else
                 Byline.objects.filter(author=Author.objects.filter(slug=author).first()))
        data, objects = _paginated(request, _listed_ids(links), serializers.article_summary,
                                   page, per_page, load=_articles_in_order)
        return _ok(request, data, "feed", *surrogate.article_keys(objects))
    queryset = Article.objects.published().filter(kind=type)
    for value, lookup in ((section, "section__slug"), (tag, "tags__slug"),
                          (author, "bylines__author__slug")):
        if value:
            queryset = queryset.filter(**{lookup: value})
    # The page's ids first, then their rows: SQLite joined every row an OFFSET skipped to its
    # section and image (100k: 238 ms for ?page=4000).
    ids = queryset.order_by("-published_at", "-id").values_list("pk", flat=True)
    data, objects = _paginated(request, ids, serializers.article_summary, page, per_page,
                               load=_articles_in_order)
    return _ok(request, data, "feed", *surrogate.article_keys(objects))


def _listed_ids(links):
    """A tag's or an author's stories, newest first, as ids read from the link table's listing
    index (decision 0007): the count and the page are each one index range. Through the
    articles they sorted every story of the tag (100k: 457 ms for a tag on 73,000)."""
    return (links.listed().order_by("-listed_at", "-article")
            .values_list("article", flat=True))


def _articles_in_order(ids) -> list[Article]:
    ids = list(ids)
    found = Article.objects.for_listing().prefetch_related("tags").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


@router.get("/articles/{int:id}/", response={200: schemas.Article, 404: Problem, **ERRORS},
            summary="One published article with its body")
def article(request, id: int):  # noqa: A002 - the path parameter's name
    found = (Article.objects.published().select_related("section", "lead_image")
             .prefetch_related("tags", "bylines__author").filter(pk=id).first())
    if found is None:
        return problem(404, "No published article has this id", "not_found")
    return _ok(request, serializers.article_detail(found), f"a:{id}", f"page:{id}")


@router.get("/sections/", response={200: schemas.SectionList, **ERRORS}, summary="Every section")
def sections(request):
    items = list(Section.objects.all())
    return _ok(request, {"results": [serializers.section(s) for s in items]}, "site")


@router.get("/newsletters/", response={200: schemas.NewsletterList, **ERRORS},
            summary="The newsletters readers can subscribe to (sign-up is the form at "
                    "/newsletters/)")
def newsletters(request):
    from masthead.newsletters.models import Newsletter

    items = Newsletter.objects.filter(is_active=True)
    return _ok(request, {"results": [serializers.newsletter(n) for n in items]}, "newsletters")


@router.get("/tags/", response={200: schemas.TagList, **ERRORS}, summary="Tags, by name")
def tags(request, page: int = PageNumber, per_page: int = PerPage):
    data, objects = _paginated(request, Tag.objects.order_by("name", "pk"), serializers.tag,
                               page, per_page)
    return _ok(request, data, "feed", *(f"tag:{t.pk}" for t in objects))


@router.get("/authors/", response={200: schemas.AuthorList, **ERRORS}, summary="Authors, by name")
def authors(request, page: int = PageNumber, per_page: int = PerPage):
    data, objects = _paginated(request, Author.objects.order_by("name", "pk"),
                               serializers.author, page, per_page)
    return _ok(request, data, "feed", *(f"author:{a.pk}" for a in objects))


@router.get("/search/", response={200: schemas.SearchAnswer, **ERRORS},
            summary="Full-text search, best match first")
def search(request, q: str = Query(..., description='words, "phrases" and -exclusions'),
           page: int = PageNumber,
           per_page: int | None = Query(None, ge=1, le=50, description="results per page (1-50)"),
           section: str | None = Query(None, description="section slug"),
           tag: str | None = Query(None, description="tag slug"),
           author: str | None = Query(None, description="author slug"),
           date_from: dt.date | None = Query(None, alias="from",
                                             description="published on or after"),
           date_to: dt.date | None = Query(None, alias="to",
                                           description="published on or before")):
    size = per_page or search_services.page_size()
    try:
        outcome = search_services.search(
            q, search_services.SearchFilters.from_params(request.GET), page, size)
    except QueryError as error:
        return problem(400, str(error), error.code)
    prefetch_related_objects([r.article for r in outcome.results], "tags")
    pages = outcome.pages
    data = {
        "query": outcome.query.text(),
        "results": [serializers.search_result(r) for r in outcome.results],
        "suggestion": outcome.suggestion,
        "pagination": {"page": page, "per_page": size, "pages": pages,
                       "total": min(outcome.total, search_services.MAX_RESULTS),
                       "total_is_lower_bound": outcome.more_than_max,
                       "next": _page_url(request, page + 1) if page < pages else None,
                       "previous": _page_url(request, page - 1) if page > 1 else None},
    }
    return _ok(request, data, "search",
               *surrogate.article_keys(r.article for r in outcome.results))


@router.get("/openapi.json", auth=None, response={200: dict}, summary="This description")
def openapi_json(request):
    from .schema import openapi

    return _ok(request, openapi(), "site", max_age=SCHEMA_MAX_AGE)
