"""Test URLconf: the site's URLs plus the media file view at /media/ (mounted by the lead's
root URLconf in production; see docs/newsroom.md)."""

from django.urls import include, path

from masthead.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("media/", include("masthead.media.urls")), *site_urlpatterns]
