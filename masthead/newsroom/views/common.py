"""What every newsroom view shares: the staff-only gate, no caching, article look-up."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from masthead.articles.models import Article

from .. import policy


def newsroom_view(view=None, *, allowed=None):
    """Log-in required (redirect), newsroom role required (403), never cached.

    `allowed(user) -> bool` adds a page-level check, answered with 403 when false.
    """
    def decorate(func):
        @never_cache
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not policy.is_newsroom_user(user) or (allowed and not allowed(user)):
                raise PermissionDenied("You do not have access to this page.")
            return func(request, *args, **kwargs)
        return wrapper
    return decorate(view) if view is not None else decorate


def article_or_404(user, pk: int) -> Article:
    """The article if this user may see it; otherwise 404, so others' drafts stay unknown."""
    article = get_object_or_404(
        Article.objects.select_related("section", "lead_image", "created_by"), pk=pk
    )
    if not policy.can_see(user, article):
        raise Http404("No such article")
    return article


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")
