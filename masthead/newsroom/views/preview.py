"""The shared preview link: an unpublished article as readers will see it, no login needed;
and the newsroom's button that revokes an article's links.

The signed token is the only key (see previews.py); the page is never cached, kept out of
search engines and sends no Referer, so the link does not leak through outgoing clicks.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from masthead.articles.models import Article

from .. import previews, services
from .common import article_or_404, newsroom_view


@never_cache
def shared_preview(request, token: str):
    found = previews.read(token)
    if found is None:
        raise Http404("This preview link is invalid, has expired or was revoked.")
    article_id, expires = found
    article = Article.objects.select_related("section", "lead_image").prefetch_related(
        "tags", "bylines__author").filter(pk=article_id).first()
    if article is None:
        raise Http404("This article no longer exists.")
    response = render(request, "newsroom/preview.html", {
        "article": article, "max_days": previews.max_age() // 86400,
        "expires": timezone.localtime(expires),
    })
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
@newsroom_view
def revoke_links(request, pk: int):
    article = article_or_404(request.user, pk)
    services.revoke_preview_links(request.user, article)
    messages.success(request, "Every preview link made so far has stopped working. The link "
                              "shown now is a new one.")
    return redirect("newsroom:article_edit", pk=article.pk)
