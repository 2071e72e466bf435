"""URLs of `masthead.api` (mounted at /api/v1/); `schema.py` describes each of them."""

from django.urls import path, re_path

from . import views

app_name = "api"
urlpatterns = [
    path("articles/", views.articles, name="articles"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("sections/", views.sections, name="sections"),
    path("tags/", views.tags, name="tags"),
    path("authors/", views.authors, name="authors"),
    path("search/", views.search, name="search"),
    path("newsletters/", views.newsletters, name="newsletters"),
    path("openapi.json", views.schema, name="openapi"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
