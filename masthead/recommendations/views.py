"""The newsroom panel's buttons: pin, exclude, clear (unpin / allow again). HTTP only.

POST with CSRF; log-in required; permission `recommendations.pin_related` (editors and admins,
`masthead/newsroom/roles.py`) or 403. Each answers with a redirect back to the editor and a
message saying what happened.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from masthead.articles.models import Article

from . import services

PERMISSION = "recommendations.pin_related"


def _panel_view(func):
    @require_POST
    @never_cache
    @login_required
    def wrapper(request, pk: int):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied("You may not change related articles.")
        article = get_object_or_404(Article, pk=pk)
        related = services.find_article(request.POST.get("related", ""))
        if related is None:
            messages.error(request, "No article found for that URL or id.")
        else:
            try:
                messages.success(request, func(request, article, related))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return _back(request, article)
    wrapper.__name__ = func.__name__
    return wrapper


def _back(request, article):
    return redirect(reverse("newsroom:article_edit", args=[article.pk]) + "#related-panel")


@_panel_view
def pin(request, article, related):
    services.pin(article, related, user=request.user)
    note = "" if related.is_visible else " It will show once it is published."
    return f"Pinned “{related.headline}”.{note}"


@_panel_view
def exclude(request, article, related):
    services.exclude(article, related, user=request.user)
    return f"“{related.headline}” will not be shown as related to this article."


@_panel_view
def clear(request, article, related):
    services.clear_override(article, related.pk)
    return f"“{related.headline}” is back to the engine's choice."
