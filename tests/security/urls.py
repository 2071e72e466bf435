"""Masthead's URLs plus one view that fails, to see the 500 page's headers."""

from django.urls import include, path


def fails(request):
    raise RuntimeError("a deliberate failure for the security header test")


urlpatterns = [path("t/fails/", fails), path("", include("masthead.urls"))]
handler500 = "masthead.articles.views.server_error"
