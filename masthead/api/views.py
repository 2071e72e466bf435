"""`/api/v1/`: read-only JSON. Thin views: read parameters, query, serialise, cache.

Cache-Control is deliberate on every answer: content is `public, max-age=60` (the same as
reader pages, and purged by surrogate keys like them), the schema an hour, and errors
`no-cache` so that a mistake is never remembered by a proxy. Errors have one shape:
`{"error": {"code": "...", "message": "..."}}`.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from django.utils.cache import patch_cache_control

from masthead.articles.models import Article, Author, Section, Tag
from masthead.core import surrogate
from masthead.core.http import public
from masthead.search import services as search_services
from masthead.search.query import QueryError

from . import serializers
from .schema import openapi

MAX_AGE = 60
SCHEMA_MAX_AGE = 3600
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


class BadRequest(ValueError):
    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def _error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    patch_cache_control(response, no_cache=True)
    return response


def _ok(request, data, *keys, max_age=MAX_AGE) -> JsonResponse:
    surrogate.add(request, "api", *keys)
    return public(JsonResponse(data, json_dumps_params={"ensure_ascii": False}), max_age=max_age)


def _int(request, name: str, default: int, low: int, high: int) -> int:
    value = request.GET.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest("bad_parameter", f"{name} must be a whole number") from None
    if not low <= number <= high:
        raise BadRequest("bad_parameter", f"{name} must be between {low} and {high}")
    return number


def _page_url(request, page: int) -> str:
    params = {k: v for k, v in request.GET.items() if k != "page"}
    return serializers.absolute(request.path + "?" + urlencode({**params, "page": page}))


def _paginated(request, queryset, serialise) -> tuple[dict, list]:
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    number = _int(request, "page", 1, 1, 10**6)
    paginator = Paginator(queryset, per_page)
    try:
        page = paginator.page(number)
    except EmptyPage:
        raise BadRequest("bad_parameter", f"page must be between 1 and {paginator.num_pages}") \
            from None
    objects = list(page.object_list)
    data = {"results": [serialise(o) for o in objects],
            "pagination": {"page": number, "per_page": per_page, "pages": paginator.num_pages,
                           "total": paginator.count,
                           "next": _page_url(request, number + 1) if page.has_next() else None,
                           "previous": _page_url(request, number - 1)
                           if page.has_previous() else None}}
    return data, objects


def api_view(view):
    """Turn BadRequest into a 400 answer (each view stays a straight line)."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as error:
            return _error(400, error.code, str(error))
    return wrapped


@api_view
def articles(request):
    kind = request.GET.get("type") or Article.Kind.ARTICLE
    if kind not in Article.Kind.values:
        raise BadRequest("bad_parameter", "type must be 'article' or 'page'")
    queryset = Article.objects.published().filter(kind=kind)
    for param, lookup in (("section", "section__slug"), ("tag", "tags__slug"),
                          ("author", "bylines__author__slug")):
        if request.GET.get(param):
            queryset = queryset.filter(**{lookup: request.GET[param]})
    queryset = queryset.for_listing().prefetch_related("tags")
    data, objects = _paginated(request, queryset, serializers.article_summary)
    return _ok(request, data, "feed", *surrogate.article_keys(objects))


@api_view
def article(request, pk: int):
    found = (Article.objects.published().select_related("section", "lead_image")
             .prefetch_related("tags", "bylines__author").filter(pk=pk).first())
    if found is None:
        return _error(404, "not_found", "No published article has this id")
    return _ok(request, serializers.article_detail(found), f"a:{pk}", f"page:{pk}")


@api_view
def sections(request):
    items = list(Section.objects.all())
    return _ok(request, {"results": [serializers.section(s) for s in items]}, "site")


def newsletters(request):
    from masthead.newsletters.models import Newsletter

    items = Newsletter.objects.filter(is_active=True)
    return _ok(request, {"results": [serializers.newsletter(n) for n in items]}, "newsletters")


@api_view
def tags(request):
    data, objects = _paginated(request, Tag.objects.order_by("name", "pk"), serializers.tag)
    return _ok(request, data, "feed", *(f"tag:{t.pk}" for t in objects))


@api_view
def authors(request):
    data, objects = _paginated(request, Author.objects.order_by("name", "pk"),
                               serializers.author)
    return _ok(request, data, "feed", *(f"author:{a.pk}" for a in objects))


@api_view
def search(request):
    size = _int(request, "per_page", search_services.page_size(), 1, 50)
    number = _int(request, "page", 1, 1, 10**6)
    try:
        outcome = search_services.search(
            request.GET.get("q"), search_services.SearchFilters.from_params(request.GET),
            number, size)
    except QueryError as error:
        return _error(400, error.code, str(error))
    prefetch_related_objects([r.article for r in outcome.results], "tags")
    pages = outcome.pages
    data = {
        "query": outcome.query.text(),
        "results": [serializers.search_result(r) for r in outcome.results],
        "suggestion": outcome.suggestion,
        "pagination": {"page": number, "per_page": size, "pages": pages,
                       "total": min(outcome.total, search_services.MAX_RESULTS),
                       "total_is_lower_bound": outcome.more_than_max,
                       "next": _page_url(request, number + 1) if number < pages else None,
                       "previous": _page_url(request, number - 1) if number > 1 else None},
    }
    return _ok(request, data, "search",
               *surrogate.article_keys(r.article for r in outcome.results))


def schema(request):
    return _ok(request, openapi(), "site", max_age=SCHEMA_MAX_AGE)


def not_found(request, rest=""):
    return _error(404, "not_found", "No such API endpoint; see /api/v1/openapi.json")
