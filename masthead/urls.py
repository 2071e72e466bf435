"""Root URL configuration: each app mounts its own URLs (see CONTRACT.md, Web)."""

from django.urls import include, path

from masthead.core.views import favicon, healthz

urlpatterns = [
    # First: reader pages are most of the traffic, and each pattern tried before the right
    # one costs a failed match (an exception per include). Its routes end where they end
    # (no prefix include), so none of them can shadow the URLs below.
    path("", include("masthead.articles.urls")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("media/", include("masthead.media.urls")),
    path("newsroom/comments/", include("masthead.comments.moderation_urls")),
    path("newsroom/related/", include("masthead.recommendations.urls")),
    path("newsroom/integrations/", include("masthead.integrations.urls")),
    path("newsroom/newsletters/", include("masthead.newsletters.newsroom_urls")),
    path("newsroom/", include("masthead.newsroom.urls")),
    path("comments/", include("masthead.comments.urls")),
    path("newsletters/", include("masthead.newsletters.urls")),
    path("search/", include("masthead.search.urls")),
    path("api/v1/", include("masthead.api.urls")),
    path("", include("masthead.feeds.urls")),
]

handler404 = "masthead.articles.views.not_found"
handler500 = "masthead.articles.views.server_error"
