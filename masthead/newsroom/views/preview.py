"""The shared preview link: an unpublished article as readers will see it, no login needed.

The signed token is the only key (see previews.py); the page is never cached, kept out of
search engines and sends no Referer, so the link does not leak through outgoing clicks.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from masthead.articles.models import Article

from .. import previews


@never_cache
def shared_preview(request, token: str):
    article_id = previews.article_id_from(token)
    if article_id is None:
        raise Http404("This preview link is invalid or has expired.")
    article = Article.objects.select_related("section", "lead_image").prefetch_related(
        "tags", "bylines__author").filter(pk=article_id).first()
    if article is None:
        raise Http404("This article no longer exists.")
    response = render(request, "newsroom/preview.html", {"article": article,
                                                         "max_days": previews.max_age() // 86400})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
