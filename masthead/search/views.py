"""`/search/`: the results page. Thin: parse the request, call `services.search`, render.

Every outcome is a page a reader can act on, never a server error: no query shows the search
form, an unusable one (too long, only operators, a bad date) explains itself with status 400.
Result pages are `noindex` (meta tag and X-Robots-Tag) and excluded in robots.txt.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render

from masthead.articles.models import Section
from masthead.core import surrogate
from masthead.core.http import public

from .query import QueryError
from .services import SearchFilters, search


def _page_number(value: str | None) -> int:
    try:
        number = int(value or "1")
    except ValueError:
        raise QueryError("bad_page") from None
    if number < 1:
        raise QueryError("bad_page")
    return number


def search_page(request):
    raw = request.GET.get("q", "")
    # Filters default to none, so a page refusing a bad filter still renders its form.
    context = {"search_query": raw[:600], "sections": Section.objects.all(), "outcome": None,
               "filters": SearchFilters()}
    status = 200
    try:
        filters = SearchFilters.from_params(request.GET)
        context["filters"] = filters
        outcome = search(raw, filters, _page_number(request.GET.get("page")))
    except QueryError as error:
        context["error"] = error
        status = 200 if error.code == "empty" else 400
    else:
        params = {"q": raw, **filters.as_params()}
        context.update(outcome=outcome, base_query=urlencode(params))
        if outcome.suggestion:
            context["suggestion_query"] = urlencode({**params, "q": outcome.suggestion})
        surrogate.add(request, *surrogate.article_keys(r.article for r in outcome.results))
    surrogate.add(request, "site", "search")
    response = render(request, "search/results.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return public(response)
