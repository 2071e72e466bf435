"""301s from old URLs: previous slugs and imported permalinks (`/?p=123`, `/2023/09/16/x/`)."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect

from .models import Redirect

# WordPress-style query permalinks that address one post on the front page.
_QUERY_KEYS = ("p", "page_id")


class RedirectFallbackMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path == "/":
            for key in _QUERY_KEYS:
                value = request.GET.get(key, "")
                if value.isdecimal():
                    found = self._lookup([f"/?{key}={value}"])
                    if found:
                        return found
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            candidates = [request.path]
            if not request.path.endswith("/"):
                candidates.append(request.path + "/")
            return self._lookup(candidates) or response
        return response

    @staticmethod
    def _lookup(paths):
        redirect = (
            Redirect.objects.filter(old_path__in=paths).select_related("article").first()
        )
        if redirect and redirect.article.is_visible:
            return HttpResponsePermanentRedirect(redirect.article.get_absolute_url())
        return None
