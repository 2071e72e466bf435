"""Responses rendered for one commenter (showing their own pending comment) are private.

The article view marks every page `public`; the comments block sets
`request.comments_personalised` when it showed the reader their own held comment, and this
middleware then makes the response private and uncacheable, so neither the page cache nor a
CDN nor a shared proxy can hand it to anyone else. It also drops the `masthead_commenter`
cookie once none of its comments is waiting any more, so the reader is served from the page
cache again.
"""

from django.utils.cache import patch_vary_headers

from masthead.core.http import private

from . import tokens


class CommenterPagesArePrivate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "comments_personalised", False):
            private(response)
            patch_vary_headers(response, ["Cookie"])
        if getattr(request, "comments_pending_cookie_stale", False):
            tokens.forget_pending(response)
        return response
